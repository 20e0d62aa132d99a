/**
 * The store's messages on /chord/1.0.0: a StoreRpc over the RpcClient, and
 * the server-side methods that hand them to the local StoreHandler. Records
 * are decoded one by one against the size limits, lists are capped.
 */
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { betweenRightIncl, idFromBytes, idToBytes, keyId } from '../ring/id.ts'
import { ringPosition } from '../store/range-sync.ts'
import { decodeRecord, encodeRecord } from '../store/record.ts'
import { InvalidMessageError, decodeWith } from './errors.ts'
import { Node } from './pb/ring.ts'
import { BucketDigestsResponse, FetchRequest, FetchResponse, RangeDigestResponse, RangeRecordsRequest, RangeRecordsResponse, RangeRequest, StoreRequest, StoreResponse, VersionsRequest, VersionsResponse } from './pb/store-rpc.ts'
import type { NodeCodec } from './node-codec.ts'
import type { Ownership as WireOwnership } from './pb/store-rpc.ts'
import type { RpcClient } from './rpc-client.ts'
import type { RpcServer } from './rpc-server.ts'
import type { Id } from '../ring/id.ts'
import type { NodeRef, RequestOptions } from '../ring/types.ts'
import type { RecordLimits, StoreRecord } from '../store/record.ts'
import type { CheckedFetch, FetchResult, Ownership, RangePage, StoreHandler, StoreRpc, VersionEntry } from '../store/types.ts'

/** Method numbers of the store; 16–31 are reserved for it */
export const StoreMethod = {
  STORE: 16,
  FETCH: 17,
  RANGE_DIGEST: 18,
  BUCKET_DIGESTS: 19,
  VERSIONS: 20,
  RANGE_RECORDS: 21,
  SWEEP_SOON: 22
} as const

export interface StoreProtocolLimits extends RecordLimits {
  /** records or keys in one message */
  maxItemsPerMessage: number
  /** buckets a digest list may name (2^bucketBits) */
  maxBuckets: number
  /** successors an ownership answer may name */
  maxSuccessors: number
  /** addresses per node in it */
  maxAddrsPerNode: number
}

function encodeOwnership (ownership: Ownership, codec: NodeCodec): WireOwnership {
  return { owner: ownership.owner, successors: ownership.successors.map(n => Node.encode(codec.encode(n))) }
}

function decodeOwnership (wire: WireOwnership | undefined, codec: NodeCodec, limits: StoreProtocolLimits): Ownership {
  if (wire === undefined) throw new InvalidMessageError('an owner check was answered without ownership')
  return {
    owner: wire.owner,
    successors: wire.successors.map(bytes => decodeWith(() => codec.decode(Node.decode(bytes, { limits: { addrs: limits.maxAddrsPerNode } }))))
  }
}

const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>

export class StoreRpcClient implements StoreRpc {
  private readonly client: RpcClient
  private readonly codec: NodeCodec
  private readonly limits: StoreProtocolLimits

  constructor (client: RpcClient, codec: NodeCodec, limits: StoreProtocolLimits) {
    this.client = client
    this.codec = codec
    this.limits = limits
  }

  private async call (to: NodeRef, method: number, body: Uint8Array<ArrayBuffer>, options?: RequestOptions): Promise<Uint8Array> {
    return this.client.call(to.peer, to.addrs, method, body, options)
  }

  async store (to: NodeRef, records: StoreRecord[], options?: RequestOptions): Promise<boolean[]> {
    const body = await this.call(to, StoreMethod.STORE, StoreRequest.encode({ records: records.map(r => bytes(encodeRecord(r))) }), options)
    const { stored } = decodeWith(() => StoreResponse.decode(body, { limits: { stored: records.length } }))
    if (stored.length !== records.length) throw new InvalidMessageError(`STORE of ${records.length} records answered for ${stored.length}`)
    return stored
  }

  async fetch (to: NodeRef, keys: Uint8Array[], options?: RequestOptions): Promise<FetchResult> {
    const body = await this.call(to, StoreMethod.FETCH, FetchRequest.encode({ keys: keys.map(bytes) }), options)
    const response = decodeWith(() => FetchResponse.decode(body, { limits: { records: keys.length } }))
    if (response.answered > keys.length) throw new InvalidMessageError('FETCH answered more keys than asked')
    return { records: response.records.map(r => decodeWith(() => decodeRecord(r, this.limits))), answered: response.answered, unsettled: response.unsettled }
  }

  async fetchChecked (to: NodeRef, key: Uint8Array, options?: RequestOptions): Promise<CheckedFetch> {
    const body = await this.call(to, StoreMethod.FETCH, FetchRequest.encode({ keys: [bytes(key)], checkOwner: true }), options)
    const response = decodeWith(() => FetchResponse.decode(body, { limits: { records: 1, ownership$: { successors: this.limits.maxSuccessors } } }))
    const ownership = decodeOwnership(response.ownership, this.codec, this.limits)
    const [record] = response.records.map(r => decodeWith(() => decodeRecord(r, this.limits)))
    if (record !== undefined && !uint8ArrayEquals(record.key, key)) throw new InvalidMessageError('FETCH answered with a record of another key')
    return { record, ownership, unsettled: response.unsettled }
  }

  async storeChecked (to: NodeRef, record: StoreRecord, options?: RequestOptions): Promise<{ stored: boolean, ownership: Ownership }> {
    const body = await this.call(to, StoreMethod.STORE, StoreRequest.encode({ records: [bytes(encodeRecord(record))], checkOwner: true }), options)
    const response = decodeWith(() => StoreResponse.decode(body, { limits: { stored: 1, ownership$: { successors: this.limits.maxSuccessors } } }))
    const ownership = decodeOwnership(response.ownership, this.codec, this.limits)
    if (ownership.owner && response.stored.length !== 1) throw new InvalidMessageError('STORE of 1 record answered for none')
    return { stored: response.stored[0] ?? false, ownership }
  }

  async rangeDigest (to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Uint8Array> {
    const body = await this.call(to, StoreMethod.RANGE_DIGEST, RangeRequest.encode({ from: idToBytes(from), to: idToBytes(until) }), options)
    const { digest } = decodeWith(() => RangeDigestResponse.decode(body))
    if (digest.byteLength !== 32) throw new InvalidMessageError(`a range digest is 32 bytes, got ${digest.byteLength}`)
    return digest
  }

  async bucketDigests (to: NodeRef, from: Id, until: Id, options?: RequestOptions): Promise<Array<{ bucket: number, digest: Uint8Array }>> {
    const body = await this.call(to, StoreMethod.BUCKET_DIGESTS, RangeRequest.encode({ from: idToBytes(from), to: idToBytes(until) }), options)
    const { buckets } = decodeWith(() => BucketDigestsResponse.decode(body, { limits: { buckets: this.limits.maxBuckets } }))
    for (const b of buckets) {
      if (b.digest.byteLength !== 32 || b.bucket >= this.limits.maxBuckets) throw new InvalidMessageError('malformed bucket digest')
    }
    return buckets
  }

  async versions (to: NodeRef, from: Id, until: Id, bucket: number, limit: number, options?: RequestOptions): Promise<{ entries: VersionEntry[], more: boolean }> {
    const body = await this.call(to, StoreMethod.VERSIONS, VersionsRequest.encode({ from: idToBytes(from), to: idToBytes(until), bucket, limit }), options)
    const response = decodeWith(() => VersionsResponse.decode(body, { limits: { entries: limit } }))
    const entries = response.entries.map(e => {
      if (e.key.byteLength === 0 || e.key.byteLength > this.limits.maxKeyBytes || e.writer.length === 0 || e.writer.length > 128 || e.wallTime > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new InvalidMessageError('malformed version entry')
      }
      return { key: e.key, version: { wallTime: Number(e.wallTime), logical: e.logical, writer: e.writer }, deleted: e.deleted }
    })
    return { entries, more: response.more }
  }

  async sweepSoon (to: NodeRef, options?: RequestOptions): Promise<void> {
    await this.call(to, StoreMethod.SWEEP_SOON, new Uint8Array(0), options)
  }

  async rangeRecords (to: NodeRef, from: Id, until: Id, maxRecords: number, maxBytes: number, options?: RequestOptions): Promise<RangePage> {
    const limit = Math.max(1, Math.min(maxRecords, this.limits.maxItemsPerMessage))
    const body = await this.call(to, StoreMethod.RANGE_RECORDS, RangeRecordsRequest.encode({ from: idToBytes(from), to: idToBytes(until), maxRecords: limit, maxBytes }), options)
    const response = decodeWith(() => RangeRecordsResponse.decode(body, { limits: { records: limit } }))
    const records = response.records.map(r => decodeWith(() => decodeRecord(r, this.limits)))
    // the answer is checked whole before any of it is used: a peer cannot
    // slip in records of other ranges, repeat itself or stall the reader
    let bytes = 0
    let previous = 0n
    for (const record of records) {
      const id = keyId(record.key)
      if (!betweenRightIncl(from, id, until)) throw new InvalidMessageError('RANGE_RECORDS answered a record outside the range asked')
      const position = ringPosition(from, id)
      if (position <= previous) throw new InvalidMessageError('RANGE_RECORDS answered records out of ring order')
      previous = position
      bytes += record.key.byteLength + record.value.byteLength
    }
    if (records.length > 1 && bytes > maxBytes) throw new InvalidMessageError(`RANGE_RECORDS answered ${bytes} bytes, over the ${maxBytes} asked for`)
    if (response.more && records.length === 0) throw new InvalidMessageError('RANGE_RECORDS answered no record yet claims more')
    if (response.more && keyId(records[records.length - 1].key) === until) throw new InvalidMessageError('RANGE_RECORDS claims more after the end of the range')
    return { records, more: response.more }
  }
}

export function registerStoreMethods (server: RpcServer, handler: StoreHandler, codec: NodeCodec, limits: StoreProtocolLimits): void {
  registerRecordMethods(server, handler, codec, limits)
  registerRangeMethods(server, handler, limits)
}

function decodeRange (body: Uint8Array): { from: Id, until: Id } {
  const request = decodeWith(() => RangeRequest.decode(body))
  return decodeWith(() => ({ from: idFromBytes(request.from), until: idFromBytes(request.to) }))
}

function checkKeys (keys: Uint8Array[], limits: StoreProtocolLimits): void {
  for (const key of keys) {
    if (key.byteLength === 0 || key.byteLength > limits.maxKeyBytes) throw new InvalidMessageError(`a key must be 1 to ${limits.maxKeyBytes} bytes, got ${key.byteLength}`)
  }
}

/** STORE and FETCH, plain or owner-checked */
function registerRecordMethods (server: RpcServer, handler: StoreHandler, codec: NodeCodec, limits: StoreProtocolLimits): void {
  server.register(StoreMethod.STORE, async (body, from) => {
    const request = decodeWith(() => StoreRequest.decode(body, { limits: { records: limits.maxItemsPerMessage } }))
    // every record is checked before any is applied: a bad batch changes nothing
    const records = request.records.map(r => decodeRecord(r, limits))
    if (!request.checkOwner) return StoreResponse.encode({ stored: await handler.store(records, from.toString()) })
    if (records.length !== 1) throw new InvalidMessageError(`an owner check is for one record, got ${records.length}`)
    const { stored, ownership } = await handler.storeChecked(records[0], from.toString())
    // a peer that does not own the key stored nothing and answers for no record
    return StoreResponse.encode({ stored: ownership.owner ? [stored] : [], ownership: encodeOwnership(ownership, codec) })
  })
  server.register(StoreMethod.FETCH, async (body) => {
    const request = decodeWith(() => FetchRequest.decode(body, { limits: { keys: limits.maxItemsPerMessage } }))
    checkKeys(request.keys, limits)
    if (request.checkOwner && request.keys.length !== 1) throw new InvalidMessageError(`an owner check is for one key, got ${request.keys.length}`)
    if (request.checkOwner) {
      const { record, ownership, unsettled } = await handler.fetchChecked(request.keys[0])
      const records = record === undefined ? [] : [bytes(encodeRecord(record))]
      return FetchResponse.encode({ records, answered: 1, ownership: encodeOwnership(ownership, codec), unsettled: unsettled === true })
    }
    const { records, answered, unsettled } = await handler.fetch(request.keys)
    return FetchResponse.encode({ records: records.map(r => bytes(encodeRecord(r))), answered, unsettled: unsettled === true })
  })
}

/** What a peer holds in a range: digests, records, versions; and SWEEP_SOON */
function registerRangeMethods (server: RpcServer, handler: StoreHandler, limits: StoreProtocolLimits): void {
  server.register(StoreMethod.RANGE_DIGEST, async (body) => {
    const { from, until } = decodeRange(body)
    return RangeDigestResponse.encode({ digest: bytes(await handler.rangeDigest(from, until)) })
  })
  server.register(StoreMethod.BUCKET_DIGESTS, async (body) => {
    const { from, until } = decodeRange(body)
    const buckets = await handler.bucketDigests(from, until)
    return BucketDigestsResponse.encode({ buckets: buckets.map(b => ({ bucket: b.bucket, digest: bytes(b.digest) })) })
  })
  server.register(StoreMethod.RANGE_RECORDS, async (body) => {
    const request = decodeWith(() => RangeRecordsRequest.decode(body))
    const from = decodeWith(() => idFromBytes(request.from))
    const until = decodeWith(() => idFromBytes(request.to))
    const maxRecords = Math.max(1, Math.min(request.maxRecords, limits.maxItemsPerMessage))
    const { records, more } = await handler.rangeRecords(from, until, maxRecords, request.maxBytes)
    return RangeRecordsResponse.encode({ records: records.map(r => bytes(encodeRecord(r))), more })
  })
  server.register(StoreMethod.SWEEP_SOON, () => {
    handler.sweepSoon()
    return new Uint8Array(0)
  })
  server.register(StoreMethod.VERSIONS, async (body) => {
    const request = decodeWith(() => VersionsRequest.decode(body))
    const from = decodeWith(() => idFromBytes(request.from))
    const until = decodeWith(() => idFromBytes(request.to))
    if (request.bucket >= limits.maxBuckets) throw new InvalidMessageError(`bucket ${request.bucket} does not exist`)
    const { entries, more } = await handler.versions(from, until, request.bucket, request.limit)
    return VersionsResponse.encode({
      entries: entries.map(e => ({ key: bytes(e.key), wallTime: BigInt(e.version.wallTime), logical: e.version.logical, writer: e.version.writer, deleted: e.deleted })),
      more
    })
  })
}
