import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';

/**
 * A test-only EventStoreDB: the subset of the real gRPC protocol that @eventstore/db-client uses
 * for appends, reads and catch-up subscriptions, served from the client's own generated service
 * definitions. Behaviour follows the server (EventStore.Core/Services/Transport/Grpc): expected
 * revision checks, WrongExpectedVersion in the append response, MaximumAppendSizeExceeded as
 * INVALID_ARGUMENT with the `exception` trailer, subscriptions that confirm, catch up, send
 * CaughtUp, then go live, and that start after the event at the given position.
 */

const { ReadReq, ReadResp, AppendResp, BatchAppendResp } = streamsPb;
type Expected = { kind: 'any' | 'no_stream' | 'stream_exists' } | { kind: 'revision'; revision: number };

export interface StoredRecord {
  readonly streamId: string;
  readonly revision: number;
  /** Commit and prepare position: one record, one log offset. */
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly metadata: Buffer;
  readonly createdTicks: bigint;
}

export interface EsdbStandin {
  readonly connectionString: string;
  readonly port: number;
  /** The log, in position order, with the bytes exactly as received. */
  records(): readonly StoredRecord[];
  /** Writes behind the gRPC surface, as the server's own subsystems do (system events). */
  insert(streamId: string, event: { type: string; data: unknown; contentType?: string }): StoredRecord;
  /** Ends every live subscription call with UNAVAILABLE, as a dropped connection would. */
  dropSubscriptions(): Promise<void>;
  stop(): Promise<void>;
}

export interface StandinOptions {
  port?: number;
  /** The server's --max-append-size (default 1 MiB, as EventStoreDB). */
  maxAppendSize?: number;
  /** Advertise and serve BatchAppend (servers since 21.10); otherwise the client falls back to Append. */
  batchAppend?: boolean;
}

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const streamIdOf = (id: sharedPb.StreamIdentifier | undefined) => utf8(id?.getStreamName_asU8() ?? new Uint8Array());
const identifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
const exceptionTrailer = (entries: Record<string, string>) => {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
};

export async function startEsdbStandin(options: StandinOptions = {}): Promise<EsdbStandin> {
  const maxAppendSize = options.maxAppendSize ?? 1024 * 1024;
  const log: StoredRecord[] = [];
  const streams = new Map<string, StoredRecord[]>();
  const wakers = new Set<() => void>();
  const live = new Set<grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>>();
  // Positions are byte offsets in a log that starts after a few records of its own, as a real one does.
  let nextPosition = 1_024;

  const write = (streamId: string, e: Omit<StoredRecord, 'streamId' | 'revision' | 'position' | 'createdTicks'>): StoredRecord => {
    const events = streams.get(streamId) ?? [];
    const record: StoredRecord = { ...e, streamId, revision: events.length, position: nextPosition, createdTicks: BigInt(Date.now()) * 10_000n };
    nextPosition += 96 + Buffer.byteLength(streamId) + Buffer.byteLength(e.type) + e.data.length + e.metadata.length;
    events.push(record);
    streams.set(streamId, events);
    log.push(record);
    return record;
  };
  const appended = () => { for (const wake of [...wakers]) wake(); };

  /** The commit step of a write: expected revision check, then all events or none. */
  const commit = (streamId: string, expected: Expected, proposed: Array<Omit<StoredRecord, 'streamId' | 'revision' | 'position' | 'createdTicks'>>) => {
    const current = (streams.get(streamId)?.length ?? 0) - 1;
    const ok = expected.kind === 'any' || (expected.kind === 'no_stream' && current === -1)
      || (expected.kind === 'stream_exists' && current >= 0) || (expected.kind === 'revision' && expected.revision === current);
    if (!ok) return { ok: false as const, current };
    const written = proposed.map((p) => write(streamId, p));
    if (written.length) appended();
    // Reported as the server does for an implicit transaction: one position for commit and prepare.
    return { ok: true as const, current: current + written.length, position: written.at(-1)?.position };
  };

  const proposedOf = (m: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage) => {
    const meta = m.getMetadataMap();
    const type = meta.get('type');
    const contentType = meta.get('content-type');
    if (type === undefined || contentType === undefined) return undefined;
    return { eventId: uuidOf(m.getId()), type, contentType, data: Buffer.from(m.getData_asU8()), metadata: Buffer.from(m.getCustomMetadata_asU8()) };
  };
  // Event.SizeOnDisk: data + metadata + the type as UTF-16.
  const sizeOnDisk = (p: { type: string; data: Buffer; metadata: Buffer }) => p.data.length + p.metadata.length + p.type.length * 2;

  // The client asks for string UUIDs (uuid_option.string), so that is the form served.
  const toReadEvent = (r: StoredRecord) => {
    const recorded = new ReadResp.ReadEvent.RecordedEvent()
      .setId(new sharedPb.UUID().setString(r.eventId)).setStreamIdentifier(identifier(r.streamId)).setStreamRevision(String(r.revision))
      .setCommitPosition(String(r.position)).setPreparePosition(String(r.position))
      .setData(r.data).setCustomMetadata(r.metadata);
    recorded.getMetadataMap().set('type', r.type).set('content-type', r.contentType).set('created', String(r.createdTicks));
    return new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(r.position)));
  };

  async function read(call: grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>): Promise<void> {
    const o = call.request.getOptions();
    if (!o) return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'options required' });
    const matches = filterOf(o);
    // Flow control: wait for the client to read, unless the call ends first.
    const send = async (msg: streamsPb.ReadResp) => {
      if (call.write(msg)) return;
      await new Promise<void>((resolve) => {
        const done = () => { for (const e of ['drain', 'cancelled', 'close', 'error']) call.off(e, done); resolve(); };
        for (const e of ['drain', 'cancelled', 'close', 'error']) call.once(e, done);
      });
    };

    if (o.hasSubscription()) return subscribe(call, o, matches, send);

    const backwards = o.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = Math.min(Number(o.getCount()), Number.MAX_SAFE_INTEGER);
    let selected: StoredRecord[];
    if (o.hasStream()) {
      const so = o.getStream()!;
      const name = streamIdOf(so.getStreamIdentifier());
      const events = streams.get(name);
      if (!events) {
        call.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier(name))));
        return void call.end();
      }
      const from = so.hasRevision() ? Number(so.getRevision()) : so.hasEnd() ? (backwards ? events.length - 1 : events.length) : 0;
      selected = backwards ? events.filter((r) => r.revision <= from).reverse() : events.filter((r) => r.revision >= from);
    } else {
      const ao = o.getAll()!;
      // Forwards from a position includes the event there; backwards from it ends just before it.
      const from = ao.hasPosition() ? Number(ao.getPosition()!.getCommitPosition()) : ao.hasEnd() ? Infinity : -Infinity;
      selected = (backwards ? log.filter((r) => r.position < from).reverse() : log.filter((r) => r.position >= from)).filter(matches);
    }
    for (const r of selected.slice(0, count)) {
      if (call.cancelled) return;
      await send(toReadEvent(r));
    }
    call.end();
  }

  async function subscribe(call: grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>, o: streamsPb.ReadReq.Options,
    matches: (r: StoredRecord) => boolean, send: (m: streamsPb.ReadResp) => Promise<void>): Promise<void> {
    // Subscriptions to $all only (the adapter's one kind). The server starts at
    // ReadAllEventsForward(position, 1).NextPos: after the event at the given position.
    const ao = o.getAll();
    if (!ao) return void call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'the stand-in serves subscriptions to $all only' });
    let index = 0;
    if (ao.hasEnd()) index = log.length;
    else if (ao.hasPosition()) {
      const p = Number(ao.getPosition()!.getCommitPosition());
      const at = log.findIndex((r) => r.position >= p);
      index = at === -1 ? log.length : at + 1;
    }
    live.add(call);
    let wake: () => void = () => undefined;
    const waker = () => wake();
    wakers.add(waker);
    const stop = () => { live.delete(call); wakers.delete(waker); wake(); };
    call.on('cancelled', stop);
    call.on('finish', stop);
    await send(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));

    const checkpointEvery = 32 * Math.max(1, o.getFilter()?.getCheckpointintervalmultiplier() ?? 1);
    let considered = 0;
    let caughtUp = false;
    while (live.has(call)) {
      while (index < log.length && live.has(call)) {
        const r = log[index++]!;
        if (matches(r)) await send(toReadEvent(r));
        if (o.hasFilter() && ++considered % checkpointEvery === 0) {
          await send(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(r.position)).setPreparePosition(String(r.position))));
        }
      }
      if (!caughtUp && live.has(call)) {
        caughtUp = true;
        await send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
      }
      if (index >= log.length && live.has(call)) await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  function append(call: grpc.ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>, callback: grpc.sendUnaryData<streamsPb.AppendResp>): void {
    let options: streamsPb.AppendReq.Options | undefined;
    const proposed: NonNullable<ReturnType<typeof proposedOf>>[] = [];
    let size = 0;
    let answered = false;
    const answer = (error: grpc.ServerErrorResponse | null, resp?: streamsPb.AppendResp) => { if (!answered) { answered = true; callback(error, resp); } };
    call.on('data', (req: streamsPb.AppendReq) => {
      if (answered) return;
      if (!options) {
        if (!req.hasOptions()) return answer({ name: 'Error', message: 'options first', code: grpc.status.INVALID_ARGUMENT });
        options = req.getOptions();
        return;
      }
      const p = req.hasProposedMessage() ? proposedOf(req.getProposedMessage()!) : undefined;
      if (!p) return answer(missingMetadata());
      size += sizeOnDisk(p);
      if (size > maxAppendSize) return answer(maxAppendSizeExceeded(maxAppendSize));
      proposed.push(p);
    });
    call.on('end', () => {
      if (answered || !options) return answer(answered ? null : { name: 'Error', message: 'no options', code: grpc.status.INVALID_ARGUMENT });
      const expected: Expected = options.hasRevision() ? { kind: 'revision', revision: Number(options.getRevision()) }
        : options.hasNoStream() ? { kind: 'no_stream' } : options.hasStreamExists() ? { kind: 'stream_exists' } : { kind: 'any' };
      const result = commit(streamIdOf(options.getStreamIdentifier()), expected, proposed);
      const resp = new AppendResp();
      if (result.ok) {
        const success = new AppendResp.Success();
        if (result.current === -1) success.setNoStream(new sharedPb.Empty());
        else success.setCurrentRevision(String(result.current));
        if (result.position === undefined) success.setNoPosition(new sharedPb.Empty());
        else success.setPosition(new AppendResp.Position().setCommitPosition(String(result.position)).setPreparePosition(String(result.position)));
        resp.setSuccess(success);
      } else {
        // Both the current fields and the deprecated *_2060 ones, as the server sends them.
        const wrong = new AppendResp.WrongExpectedVersion();
        if (result.current === -1) wrong.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty());
        else wrong.setCurrentRevision(String(result.current)).setCurrentRevision2060(result.current);
        if (expected.kind === 'revision') wrong.setExpectedRevision(String(expected.revision)).setExpectedRevision2060(expected.revision);
        else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty());
        else wrong.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty());
        resp.setWrongExpectedVersion(wrong);
      }
      answer(null, resp);
    });
  }

  /** BatchAppend: many appends on one duplex call, each answered by correlation id, errors as google.rpc.Status. */
  function batchAppend(call: grpc.ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>): void {
    const pending = new Map<string, { streamId: string; expected: Expected; proposed: NonNullable<ReturnType<typeof proposedOf>>[]; size: number }>();
    call.on('data', (req: streamsPb.BatchAppendReq) => {
      const correlation = uuidOf(req.getCorrelationId());
      const o = req.getOptions();
      if (o) {
        const expected: Expected = o.hasStreamPosition() ? { kind: 'revision', revision: Number(o.getStreamPosition()) }
          : o.hasNoStream() ? { kind: 'no_stream' } : o.hasStreamExists() ? { kind: 'stream_exists' } : { kind: 'any' };
        pending.set(correlation, { streamId: streamIdOf(o.getStreamIdentifier()), expected, proposed: [], size: 0 });
      }
      const w = pending.get(correlation);
      if (!w) return;
      const resp = new BatchAppendResp().setCorrelationId(req.getCorrelationId()).setStreamIdentifier(identifier(w.streamId));
      for (const m of req.getProposedMessagesList()) {
        const p = proposedOf(m);
        if (!p) return void (pending.delete(correlation), call.write(resp.setError(rpcStatus(grpc.status.INVALID_ARGUMENT, 'Required metadata missing'))));
        w.size += sizeOnDisk(p);
        w.proposed.push(p);
      }
      if (w.size > maxAppendSize) {
        pending.delete(correlation);
        const detail = new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize);
        return void call.write(resp.setError(rpcStatus(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, detail, 'event_store.client.MaximumAppendSizeExceeded')));
      }
      if (!req.getIsFinal()) return;
      pending.delete(correlation);
      const result = commit(w.streamId, w.expected, w.proposed);
      if (result.ok) {
        const success = new BatchAppendResp.Success();
        if (result.current === -1) success.setNoStream(new sharedPb.Empty());
        else success.setCurrentRevision(String(result.current));
        if (result.position === undefined) success.setNoPosition(new sharedPb.Empty());
        else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(result.position)).setPreparePosition(String(result.position)));
        call.write(resp.setSuccess(success));
      } else {
        const wrong = new sharedPb.WrongExpectedVersion();
        if (result.current === -1) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentStreamRevision(String(result.current));
        if (w.expected.kind === 'revision') wrong.setExpectedStreamPosition(String(w.expected.revision));
        else if (w.expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (w.expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
        else wrong.setExpectedAny(new sharedPb.Empty());
        call.write(resp.setError(rpcStatus(grpc.status.FAILED_PRECONDITION, 'WrongExpectedVersion', wrong, 'event_store.client.WrongExpectedVersion')));
      }
    });
    call.on('end', () => call.end());
  }

  const server = new grpc.Server();
  // A handler that fails after its call ended (a drop, a cancel) has nobody left to tell.
  const readHandler = (call: grpc.ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>) => void read(call).catch(() => undefined);
  server.addService(StreamsService, { read: readHandler, append, ...(options.batchAppend ? { batchAppend } : {}) });
  if (options.batchAppend) {
    // Servers without this service (before 21.10) answer UNIMPLEMENTED, which grpc-js does for us.
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, cb: grpc.sendUnaryData<featuresPb.SupportedMethods>) => {
        const methods = ['read', 'append', 'batchappend'].map((m) => new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(m));
        cb(null, new featuresPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('23.10.0-standin'));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  const dropSubscriptions = async () => {
    for (const call of [...live]) {
      live.delete(call);
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'subscription dropped by the stand-in' });
    }
    appended();
  };

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    records: () => [...log],
    insert(streamId, event) {
      const record = write(streamId, {
        eventId: randomUUID(), type: event.type, contentType: event.contentType ?? 'application/json',
        data: Buffer.from(JSON.stringify(event.data), 'utf8'), metadata: Buffer.alloc(0),
      });
      appended();
      return record;
    },
    dropSubscriptions,
    async stop() {
      await dropSubscriptions();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}

/** The filter options the client sends (excludeSystemEvents: event type regex `^[^$].*`). */
function filterOf(o: streamsPb.ReadReq.Options): (r: StoredRecord) => boolean {
  const f = o.getFilter();
  if (!f) return () => true;
  const expr = f.getStreamIdentifier() ?? f.getEventType()!;
  const field = f.hasStreamIdentifier() ? (r: StoredRecord) => r.streamId : (r: StoredRecord) => r.type;
  const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : undefined;
  const prefixes = expr.getPrefixList();
  return (r) => (regex ? regex.test(field(r)) : prefixes.some((p) => field(r).startsWith(p)));
}

const uuidOf = (id: sharedPb.UUID | undefined): string => id?.getString() ?? '';

function missingMetadata(): grpc.ServerErrorResponse {
  return { name: 'Error', message: 'Required Metadata Property is missing', code: grpc.status.INVALID_ARGUMENT,
    metadata: exceptionTrailer({ exception: 'missing-required-metadata-property', 'required-metadata-properties': 'type,content-type' }) };
}

function maxAppendSizeExceeded(max: number): grpc.ServerErrorResponse {
  return { name: 'Error', message: `Maximum Append Size of ${max} Exceeded.`, code: grpc.status.INVALID_ARGUMENT,
    metadata: exceptionTrailer({ exception: 'maximum-append-size-exceeded', 'maximum-append-size': String(max) }) };
}

function rpcStatus(code: number, message: string, detail?: { serializeBinary(): Uint8Array }, typeName?: string): statusPb.Status {
  const status = new statusPb.Status().setCode(code).setMessage(message);
  if (detail && typeName) {
    const any = new anyPb.Any();
    any.pack(detail.serializeBinary(), typeName);
    status.setDetails(any);
  }
  return status;
}
