import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StoreRequest {
  records: Uint8Array<ArrayBuffer>[]
  checkOwner: boolean
}

export namespace StoreRequest {
  let _codec: Codec<StoreRequest>

  export const codec = (): Codec<StoreRequest> => {
    if (_codec == null) {
      _codec = message<StoreRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.checkOwner != null && obj.checkOwner !== false)) {
          w.uint32(16)
          w.bool(obj.checkOwner)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          checkOwner: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 2: {
              obj.checkOwner = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.checkOwner`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoreRequestRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface StoreRequestCheckOwnerFieldEvent {
    field: '$.checkOwner'
    value: boolean
  }

  export function encode (obj: Partial<StoreRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): StoreRequest {
    return decodeMessage(buf, StoreRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreRequest>): Generator<StoreRequestRecordsFieldEvent | StoreRequestCheckOwnerFieldEvent> {
    return streamMessage(buf, StoreRequest.codec(), opts)
  }
}

export interface StoreResponse {
  stored: boolean[]
  ownership?: Ownership
}

export namespace StoreResponse {
  let _codec: Codec<StoreResponse>

  export const codec = (): Codec<StoreResponse> => {
    if (_codec == null) {
      _codec = message<StoreResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.stored != null && obj.stored.length > 0) {
          for (const value of obj.stored) {
            w.uint32(8)
            w.bool(value)
          }
        }

        if (obj.ownership != null) {
          w.uint32(18)
          Ownership.codec().encode(obj.ownership, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          stored: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.stored != null && obj.stored.length === opts.limits.stored) {
                throw new MaxLengthError('Decode error - repeated field "stored" had too many elements')
              }

              obj.stored.push(reader.bool())
              break
            }
            case 2: {
              obj.ownership = Ownership.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ownership
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          stored: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.stored != null && obj.stored === opts.limits.stored) {
                throw new MaxLengthError('Streaming decode error - repeated field "stored" had too many elements')
              }

              yield {
                field: `${prefix}.stored[]`,
                index: obj.stored,
                value: reader.bool()
              }

              obj.stored++

              break
            }
            case 2: {
              yield * Ownership.codec().stream(reader, reader.uint32(), `${prefix}.ownership`, {
                limits: opts.limits?.ownership
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StoreResponseStoredFieldEvent {
    field: '$.stored[]'
    index: number
    value: boolean
  }

  export interface StoreResponseOwnershipOwnerFieldEvent {
    field: '$.ownership.owner'
    value: boolean
  }

  export interface StoreResponseOwnershipSuccessorsFieldEvent {
    field: '$.ownership.successors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StoreResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): StoreResponse {
    return decodeMessage(buf, StoreResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StoreResponse>): Generator<StoreResponseStoredFieldEvent | StoreResponseOwnershipOwnerFieldEvent | StoreResponseOwnershipSuccessorsFieldEvent> {
    return streamMessage(buf, StoreResponse.codec(), opts)
  }
}

export interface FetchRequest {
  keys: Uint8Array<ArrayBuffer>[]
  checkOwner: boolean
}

export namespace FetchRequest {
  let _codec: Codec<FetchRequest>

  export const codec = (): Codec<FetchRequest> => {
    if (_codec == null) {
      _codec = message<FetchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.checkOwner != null && obj.checkOwner !== false)) {
          w.uint32(16)
          w.bool(obj.checkOwner)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          keys: [],
          checkOwner: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(reader.bytes())
              break
            }
            case 2: {
              obj.checkOwner = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          keys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              yield {
                field: `${prefix}.keys[]`,
                index: obj.keys,
                value: reader.bytes()
              }

              obj.keys++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.checkOwner`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FetchRequestKeysFieldEvent {
    field: '$.keys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchRequestCheckOwnerFieldEvent {
    field: '$.checkOwner'
    value: boolean
  }

  export function encode (obj: Partial<FetchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): Generator<FetchRequestKeysFieldEvent | FetchRequestCheckOwnerFieldEvent> {
    return streamMessage(buf, FetchRequest.codec(), opts)
  }
}

export interface FetchResponse {
  records: Uint8Array<ArrayBuffer>[]
  answered: number
  ownership?: Ownership
  unsettled: boolean
}

export namespace FetchResponse {
  let _codec: Codec<FetchResponse>

  export const codec = (): Codec<FetchResponse> => {
    if (_codec == null) {
      _codec = message<FetchResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.answered != null && obj.answered !== 0)) {
          w.uint32(16)
          w.uint32(obj.answered)
        }

        if (obj.ownership != null) {
          w.uint32(26)
          Ownership.codec().encode(obj.ownership, w)
        }

        if ((obj.unsettled != null && obj.unsettled !== false)) {
          w.uint32(32)
          w.bool(obj.unsettled)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          answered: 0,
          unsettled: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 2: {
              obj.answered = reader.uint32()
              break
            }
            case 3: {
              obj.ownership = Ownership.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ownership
              })
              break
            }
            case 4: {
              obj.unsettled = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.answered`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield * Ownership.codec().stream(reader, reader.uint32(), `${prefix}.ownership`, {
                limits: opts.limits?.ownership
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.unsettled`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FetchResponseRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchResponseAnsweredFieldEvent {
    field: '$.answered'
    value: number
  }

  export interface FetchResponseOwnershipOwnerFieldEvent {
    field: '$.ownership.owner'
    value: boolean
  }

  export interface FetchResponseOwnershipSuccessorsFieldEvent {
    field: '$.ownership.successors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchResponseUnsettledFieldEvent {
    field: '$.unsettled'
    value: boolean
  }

  export function encode (obj: Partial<FetchResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): FetchResponse {
    return decodeMessage(buf, FetchResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): Generator<FetchResponseRecordsFieldEvent | FetchResponseAnsweredFieldEvent | FetchResponseOwnershipOwnerFieldEvent | FetchResponseOwnershipSuccessorsFieldEvent | FetchResponseUnsettledFieldEvent> {
    return streamMessage(buf, FetchResponse.codec(), opts)
  }
}

export interface Ownership {
  owner: boolean
  successors: Uint8Array<ArrayBuffer>[]
}

export namespace Ownership {
  let _codec: Codec<Ownership>

  export const codec = (): Codec<Ownership> => {
    if (_codec == null) {
      _codec = message<Ownership>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner !== false)) {
          w.uint32(8)
          w.bool(obj.owner)
        }

        if (obj.successors != null && obj.successors.length > 0) {
          for (const value of obj.successors) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: false,
          successors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.bool()
              break
            }
            case 2: {
              if (opts.limits?.successors != null && obj.successors.length === opts.limits.successors) {
                throw new MaxLengthError('Decode error - repeated field "successors" had too many elements')
              }

              obj.successors.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          successors: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.owner`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              if (opts.limits?.successors != null && obj.successors === opts.limits.successors) {
                throw new MaxLengthError('Streaming decode error - repeated field "successors" had too many elements')
              }

              yield {
                field: `${prefix}.successors[]`,
                index: obj.successors,
                value: reader.bytes()
              }

              obj.successors++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OwnershipOwnerFieldEvent {
    field: '$.owner'
    value: boolean
  }

  export interface OwnershipSuccessorsFieldEvent {
    field: '$.successors[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Ownership>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ownership.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ownership>): Ownership {
    return decodeMessage(buf, Ownership.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ownership>): Generator<OwnershipOwnerFieldEvent | OwnershipSuccessorsFieldEvent> {
    return streamMessage(buf, Ownership.codec(), opts)
  }
}

export interface RangeRequest {
  from: Uint8Array<ArrayBuffer>
  to: Uint8Array<ArrayBuffer>
}

export namespace RangeRequest {
  let _codec: Codec<RangeRequest>

  export const codec = (): Codec<RangeRequest> => {
    if (_codec == null) {
      _codec = message<RangeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.from)
        }

        if ((obj.to != null && obj.to.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.to)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: uint8ArrayAlloc(0),
          to: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.bytes()
              break
            }
            case 2: {
              obj.to = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.to`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RangeRequestFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RangeRequestToFieldEvent {
    field: '$.to'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RangeRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RangeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRequest>): RangeRequest {
    return decodeMessage(buf, RangeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRequest>): Generator<RangeRequestFromFieldEvent | RangeRequestToFieldEvent> {
    return streamMessage(buf, RangeRequest.codec(), opts)
  }
}

export interface RangeDigestResponse {
  digest: Uint8Array<ArrayBuffer>
}

export namespace RangeDigestResponse {
  let _codec: Codec<RangeDigestResponse>

  export const codec = (): Codec<RangeDigestResponse> => {
    if (_codec == null) {
      _codec = message<RangeDigestResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RangeDigestResponseDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RangeDigestResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RangeDigestResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeDigestResponse>): RangeDigestResponse {
    return decodeMessage(buf, RangeDigestResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeDigestResponse>): Generator<RangeDigestResponseDigestFieldEvent> {
    return streamMessage(buf, RangeDigestResponse.codec(), opts)
  }
}

export interface BucketDigest {
  bucket: number
  digest: Uint8Array<ArrayBuffer>
}

export namespace BucketDigest {
  let _codec: Codec<BucketDigest>

  export const codec = (): Codec<BucketDigest> => {
    if (_codec == null) {
      _codec = message<BucketDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.bucket != null && obj.bucket !== 0)) {
          w.uint32(8)
          w.uint32(obj.bucket)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          bucket: 0,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.bucket = reader.uint32()
              break
            }
            case 2: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.bucket`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BucketDigestBucketFieldEvent {
    field: '$.bucket'
    value: number
  }

  export interface BucketDigestDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BucketDigest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BucketDigest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigest>): BucketDigest {
    return decodeMessage(buf, BucketDigest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigest>): Generator<BucketDigestBucketFieldEvent | BucketDigestDigestFieldEvent> {
    return streamMessage(buf, BucketDigest.codec(), opts)
  }
}

export interface BucketDigestsResponse {
  buckets: BucketDigest[]
}

export namespace BucketDigestsResponse {
  let _codec: Codec<BucketDigestsResponse>

  export const codec = (): Codec<BucketDigestsResponse> => {
    if (_codec == null) {
      _codec = message<BucketDigestsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.buckets != null && obj.buckets.length > 0) {
          for (const value of obj.buckets) {
            w.uint32(10)
            BucketDigest.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          buckets: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.buckets != null && obj.buckets.length === opts.limits.buckets) {
                throw new MaxLengthError('Decode error - repeated field "buckets" had too many elements')
              }

              obj.buckets.push(BucketDigest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.buckets$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          buckets: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.buckets != null && obj.buckets === opts.limits.buckets) {
                throw new MaxLengthError('Streaming decode error - repeated field "buckets" had too many elements')
              }

              for (const evt of BucketDigest.codec().stream(reader, reader.uint32(), `${prefix}.buckets[]`, {
                limits: opts.limits?.buckets$
              })) {
                yield {
                  ...evt,
                  index: obj.buckets
                }
              }

              obj.buckets++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BucketDigestsResponseBucketsBucketFieldEvent {
    field: '$.buckets[].bucket'
    value: number
    index: number
  }

  export interface BucketDigestsResponseBucketsDigestFieldEvent {
    field: '$.buckets[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<BucketDigestsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BucketDigestsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigestsResponse>): BucketDigestsResponse {
    return decodeMessage(buf, BucketDigestsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BucketDigestsResponse>): Generator<BucketDigestsResponseBucketsBucketFieldEvent | BucketDigestsResponseBucketsDigestFieldEvent> {
    return streamMessage(buf, BucketDigestsResponse.codec(), opts)
  }
}

export interface VersionsRequest {
  from: Uint8Array<ArrayBuffer>
  to: Uint8Array<ArrayBuffer>
  bucket: number
  limit: number
}

export namespace VersionsRequest {
  let _codec: Codec<VersionsRequest>

  export const codec = (): Codec<VersionsRequest> => {
    if (_codec == null) {
      _codec = message<VersionsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.from)
        }

        if ((obj.to != null && obj.to.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.to)
        }

        if ((obj.bucket != null && obj.bucket !== 0)) {
          w.uint32(24)
          w.uint32(obj.bucket)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(32)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: uint8ArrayAlloc(0),
          to: uint8ArrayAlloc(0),
          bucket: 0,
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.bytes()
              break
            }
            case 2: {
              obj.to = reader.bytes()
              break
            }
            case 3: {
              obj.bucket = reader.uint32()
              break
            }
            case 4: {
              obj.limit = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.to`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.bucket`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VersionsRequestFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VersionsRequestToFieldEvent {
    field: '$.to'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VersionsRequestBucketFieldEvent {
    field: '$.bucket'
    value: number
  }

  export interface VersionsRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<VersionsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionsRequest>): VersionsRequest {
    return decodeMessage(buf, VersionsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionsRequest>): Generator<VersionsRequestFromFieldEvent | VersionsRequestToFieldEvent | VersionsRequestBucketFieldEvent | VersionsRequestLimitFieldEvent> {
    return streamMessage(buf, VersionsRequest.codec(), opts)
  }
}

export interface VersionEntry {
  key: Uint8Array<ArrayBuffer>
  wallTime: bigint
  logical: number
  writer: string
  deleted: boolean
}

export namespace VersionEntry {
  let _codec: Codec<VersionEntry>

  export const codec = (): Codec<VersionEntry> => {
    if (_codec == null) {
      _codec = message<VersionEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.wallTime != null && obj.wallTime !== 0n)) {
          w.uint32(16)
          w.uint64(obj.wallTime)
        }

        if ((obj.logical != null && obj.logical !== 0)) {
          w.uint32(24)
          w.uint32(obj.logical)
        }

        if ((obj.writer != null && obj.writer !== '')) {
          w.uint32(34)
          w.string(obj.writer)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(40)
          w.bool(obj.deleted)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          wallTime: 0n,
          logical: 0,
          writer: '',
          deleted: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.wallTime = reader.uint64()
              break
            }
            case 3: {
              obj.logical = reader.uint32()
              break
            }
            case 4: {
              obj.writer = reader.string()
              break
            }
            case 5: {
              obj.deleted = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.wallTime`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.logical`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.writer`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.deleted`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VersionEntryKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VersionEntryWallTimeFieldEvent {
    field: '$.wallTime'
    value: bigint
  }

  export interface VersionEntryLogicalFieldEvent {
    field: '$.logical'
    value: number
  }

  export interface VersionEntryWriterFieldEvent {
    field: '$.writer'
    value: string
  }

  export interface VersionEntryDeletedFieldEvent {
    field: '$.deleted'
    value: boolean
  }

  export function encode (obj: Partial<VersionEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): VersionEntry {
    return decodeMessage(buf, VersionEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): Generator<VersionEntryKeyFieldEvent | VersionEntryWallTimeFieldEvent | VersionEntryLogicalFieldEvent | VersionEntryWriterFieldEvent | VersionEntryDeletedFieldEvent> {
    return streamMessage(buf, VersionEntry.codec(), opts)
  }
}

export interface VersionsResponse {
  entries: VersionEntry[]
  more: boolean
}

export namespace VersionsResponse {
  let _codec: Codec<VersionsResponse>

  export const codec = (): Codec<VersionsResponse> => {
    if (_codec == null) {
      _codec = message<VersionsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(10)
            VersionEntry.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(16)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 2: {
              obj.more = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VersionsResponseEntriesKeyFieldEvent {
    field: '$.entries[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface VersionsResponseEntriesWallTimeFieldEvent {
    field: '$.entries[].wallTime'
    value: bigint
    index: number
  }

  export interface VersionsResponseEntriesLogicalFieldEvent {
    field: '$.entries[].logical'
    value: number
    index: number
  }

  export interface VersionsResponseEntriesWriterFieldEvent {
    field: '$.entries[].writer'
    value: string
    index: number
  }

  export interface VersionsResponseEntriesDeletedFieldEvent {
    field: '$.entries[].deleted'
    value: boolean
    index: number
  }

  export interface VersionsResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<VersionsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionsResponse>): VersionsResponse {
    return decodeMessage(buf, VersionsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionsResponse>): Generator<VersionsResponseEntriesKeyFieldEvent | VersionsResponseEntriesWallTimeFieldEvent | VersionsResponseEntriesLogicalFieldEvent | VersionsResponseEntriesWriterFieldEvent | VersionsResponseEntriesDeletedFieldEvent | VersionsResponseMoreFieldEvent> {
    return streamMessage(buf, VersionsResponse.codec(), opts)
  }
}

export interface RangeRecordsRequest {
  from: Uint8Array<ArrayBuffer>
  to: Uint8Array<ArrayBuffer>
  maxRecords: number
  maxBytes: number
}

export namespace RangeRecordsRequest {
  let _codec: Codec<RangeRecordsRequest>

  export const codec = (): Codec<RangeRecordsRequest> => {
    if (_codec == null) {
      _codec = message<RangeRecordsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.from)
        }

        if ((obj.to != null && obj.to.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.to)
        }

        if ((obj.maxRecords != null && obj.maxRecords !== 0)) {
          w.uint32(24)
          w.uint32(obj.maxRecords)
        }

        if ((obj.maxBytes != null && obj.maxBytes !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: uint8ArrayAlloc(0),
          to: uint8ArrayAlloc(0),
          maxRecords: 0,
          maxBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.bytes()
              break
            }
            case 2: {
              obj.to = reader.bytes()
              break
            }
            case 3: {
              obj.maxRecords = reader.uint32()
              break
            }
            case 4: {
              obj.maxBytes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.from`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.to`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maxRecords`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxBytes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RangeRecordsRequestFromFieldEvent {
    field: '$.from'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RangeRecordsRequestToFieldEvent {
    field: '$.to'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RangeRecordsRequestMaxRecordsFieldEvent {
    field: '$.maxRecords'
    value: number
  }

  export interface RangeRecordsRequestMaxBytesFieldEvent {
    field: '$.maxBytes'
    value: number
  }

  export function encode (obj: Partial<RangeRecordsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RangeRecordsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRecordsRequest>): RangeRecordsRequest {
    return decodeMessage(buf, RangeRecordsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRecordsRequest>): Generator<RangeRecordsRequestFromFieldEvent | RangeRecordsRequestToFieldEvent | RangeRecordsRequestMaxRecordsFieldEvent | RangeRecordsRequestMaxBytesFieldEvent> {
    return streamMessage(buf, RangeRecordsRequest.codec(), opts)
  }
}

export interface RangeRecordsResponse {
  records: Uint8Array<ArrayBuffer>[]
  more: boolean
}

export namespace RangeRecordsResponse {
  let _codec: Codec<RangeRecordsResponse>

  export const codec = (): Codec<RangeRecordsResponse> => {
    if (_codec == null) {
      _codec = message<RangeRecordsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.records != null && obj.records.length > 0) {
          for (const value of obj.records) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(16)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          records: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - repeated field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 2: {
              obj.more = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          records: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.records != null && obj.records === opts.limits.records) {
                throw new MaxLengthError('Streaming decode error - repeated field "records" had too many elements')
              }

              yield {
                field: `${prefix}.records[]`,
                index: obj.records,
                value: reader.bytes()
              }

              obj.records++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RangeRecordsResponseRecordsFieldEvent {
    field: '$.records[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RangeRecordsResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<RangeRecordsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RangeRecordsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRecordsResponse>): RangeRecordsResponse {
    return decodeMessage(buf, RangeRecordsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RangeRecordsResponse>): Generator<RangeRecordsResponseRecordsFieldEvent | RangeRecordsResponseMoreFieldEvent> {
    return streamMessage(buf, RangeRecordsResponse.codec(), opts)
  }
}
