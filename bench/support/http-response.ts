export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
  /** The server asked to close the connection after this response. */
  readonly close: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One HTTP/1.1 response from the front of `buffer`, or undefined while it is incomplete. Handles
 * Content-Length and chunked bodies, which is all a Node server sends.
 */
export function takeResponse(buffer: Buffer): { response: HttpResponse; rest: Buffer } | undefined {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const lines = buffer.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const close = headers.get('connection')?.toLowerCase() === 'close';
  const start = headerEnd + HEADER_END.length;
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') return takeChunked(buffer, start, status, close);
  const length = Number(headers.get('content-length') ?? '0');
  if (buffer.length < start + length) return undefined;
  return { response: { status, close, body: buffer.subarray(start, start + length) }, rest: buffer.subarray(start + length) };
}

function takeChunked(buffer: Buffer, start: number, status: number, close: boolean): { response: HttpResponse; rest: Buffer } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('malformed chunk size');
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // No trailers from our server: the last chunk is followed by one empty line.
      if (buffer.length < dataStart + 2) return undefined;
      return { response: { status, close, body: Buffer.concat(parts) }, rest: buffer.subarray(dataStart + 2) };
    }
    if (buffer.length < dataStart + size + 2) return undefined;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}
