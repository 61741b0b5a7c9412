import { spawnSync } from 'node:child_process';

/**
 * Python's plistlib as an independent implementation of both formats. Values cross the process
 * boundary as tagged JSON so integer vs real, data vs string and exact double bits survive.
 */

export const pythonAvailable = (() => {
  const result = spawnSync('python3', ['-c', 'import plistlib, json, base64, struct'], { encoding: 'utf8' });
  return !result.error && result.status === 0;
})();

export type Tagged =
  | { str: string }
  | { int: string }
  | { real: string }
  | { bool: boolean }
  | { date: string }
  | { data: string }
  | { array: Tagged[] }
  | { dict: Record<string, Tagged> };

const TAG_FUNCTION = `
import plistlib, sys, json, base64, datetime, struct
def tag(v):
    if isinstance(v, bool): return {'bool': v}
    if isinstance(v, int): return {'int': str(v)}
    if isinstance(v, float): return {'real': struct.pack('>d', v).hex()}
    if isinstance(v, str): return {'str': v}
    if isinstance(v, bytes): return {'data': base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime): return {'date': v.isoformat(timespec='milliseconds') + 'Z'}
    if isinstance(v, list): return {'array': [tag(x) for x in v]}
    if isinstance(v, dict): return {'dict': {k: tag(x) for k, x in v.items()}}
    raise TypeError(type(v).__name__)
`;

/** plistlib.loads on our bytes, tagged. */
export function pythonReads(body: Buffer): Tagged {
  const script = `${TAG_FUNCTION}
data = sys.stdin.buffer.read()
fmt = plistlib.FMT_BINARY if data.startswith(b'bplist') else plistlib.FMT_XML
sys.stdout.write(json.dumps(tag(plistlib.loads(data, fmt=fmt))))
`;
  return JSON.parse(runPython(script, body)) as Tagged;
}

/**
 * Runs a Python snippet that leaves a value in `sample`; returns plistlib's XML and binary dumps of
 * it and the value itself, tagged.
 */
export function pythonWrites(sampleScript: string): { xml: Buffer; binary: Buffer; tagged: Tagged } {
  const script = `${TAG_FUNCTION}
${sampleScript}
sys.stdout.write(json.dumps({
    'tagged': tag(sample),
    'xml': base64.b64encode(plistlib.dumps(sample, fmt=plistlib.FMT_XML)).decode(),
    'binary': base64.b64encode(plistlib.dumps(sample, fmt=plistlib.FMT_BINARY)).decode(),
}))
`;
  const out = JSON.parse(runPython(script, Buffer.alloc(0))) as { xml: string; binary: string; tagged: Tagged };
  return { xml: Buffer.from(out.xml, 'base64'), binary: Buffer.from(out.binary, 'base64'), tagged: out.tagged };
}

function runPython(script: string, input: Buffer): string {
  const result = spawnSync('python3', ['-c', script], { input, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return result.stdout;
}

/** plistlib.loads then dumps as binary: another writer's binary form of the same message. */
export function pythonToBinary(body: Buffer): Buffer {
  const script = `import plistlib, sys
sys.stdout.buffer.write(plistlib.dumps(plistlib.loads(sys.stdin.buffer.read()), fmt=plistlib.FMT_BINARY))
`;
  const result = spawnSync('python3', ['-c', script], { input: body, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr.toString()}`);
  return result.stdout;
}
