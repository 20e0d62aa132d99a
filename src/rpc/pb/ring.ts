/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Node {
  peerId: Uint8Array<ArrayBuffer>
  vnode: number
  addrs: Uint8Array<ArrayBuffer>[]
}

export namespace Node {
  let _codec: Codec<Node>

  export const codec = (): Codec<Node> => {
    if (_codec == null) {
      _codec = message<Node>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if ((obj.vnode != null && obj.vnode !== 0)) {
          w.uint32(16)
          w.uint32(obj.vnode)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          vnode: 0,
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              obj.vnode = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
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
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.vnode`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

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

  export interface NodePeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface NodeVnodeFieldEvent {
    field: '$.vnode'
    value: number
  }

  export interface NodeAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Node>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Node.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Node>): Node {
    return decodeMessage(buf, Node.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Node>): Generator<NodePeerIdFieldEvent | NodeVnodeFieldEvent | NodeAddrsFieldEvent> {
    return streamMessage(buf, Node.codec(), opts)
  }
}

export interface FindSuccessorRequest {
  vnode: number
  key: Uint8Array<ArrayBuffer>
}

export namespace FindSuccessorRequest {
  let _codec: Codec<FindSuccessorRequest>

  export const codec = (): Codec<FindSuccessorRequest> => {
    if (_codec == null) {
      _codec = message<FindSuccessorRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.vnode != null && obj.vnode !== 0)) {
          w.uint32(8)
          w.uint32(obj.vnode)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          vnode: 0,
          key: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.vnode = reader.uint32()
              break
            }
            case 2: {
              obj.key = reader.bytes()
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
                field: `${prefix}.vnode`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.key`,
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

  export interface FindSuccessorRequestVnodeFieldEvent {
    field: '$.vnode'
    value: number
  }

  export interface FindSuccessorRequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FindSuccessorRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindSuccessorRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindSuccessorRequest>): FindSuccessorRequest {
    return decodeMessage(buf, FindSuccessorRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindSuccessorRequest>): Generator<FindSuccessorRequestVnodeFieldEvent | FindSuccessorRequestKeyFieldEvent> {
    return streamMessage(buf, FindSuccessorRequest.codec(), opts)
  }
}

export interface FindSuccessorResponse {
  done: boolean
  nodes: Node[]
}

export namespace FindSuccessorResponse {
  let _codec: Codec<FindSuccessorResponse>

  export const codec = (): Codec<FindSuccessorResponse> => {
    if (_codec == null) {
      _codec = message<FindSuccessorResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.done != null && obj.done !== false)) {
          w.uint32(8)
          w.bool(obj.done)
        }

        if (obj.nodes != null && obj.nodes.length > 0) {
          for (const value of obj.nodes) {
            w.uint32(18)
            Node.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          done: false,
          nodes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.done = reader.bool()
              break
            }
            case 2: {
              if (opts.limits?.nodes != null && obj.nodes.length === opts.limits.nodes) {
                throw new MaxLengthError('Decode error - repeated field "nodes" had too many elements')
              }

              obj.nodes.push(Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodes$
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
          nodes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.done`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              if (opts.limits?.nodes != null && obj.nodes === opts.limits.nodes) {
                throw new MaxLengthError('Streaming decode error - repeated field "nodes" had too many elements')
              }

              for (const evt of Node.codec().stream(reader, reader.uint32(), `${prefix}.nodes[]`, {
                limits: opts.limits?.nodes$
              })) {
                yield {
                  ...evt,
                  index: obj.nodes
                }
              }

              obj.nodes++

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

  export interface FindSuccessorResponseDoneFieldEvent {
    field: '$.done'
    value: boolean
  }

  export interface FindSuccessorResponseNodesPeerIdFieldEvent {
    field: '$.nodes[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FindSuccessorResponseNodesVnodeFieldEvent {
    field: '$.nodes[].vnode'
    value: number
    index: number
  }

  export interface FindSuccessorResponseNodesAddrsFieldEvent {
    field: '$.nodes[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FindSuccessorResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FindSuccessorResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindSuccessorResponse>): FindSuccessorResponse {
    return decodeMessage(buf, FindSuccessorResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FindSuccessorResponse>): Generator<FindSuccessorResponseDoneFieldEvent | FindSuccessorResponseNodesPeerIdFieldEvent | FindSuccessorResponseNodesVnodeFieldEvent | FindSuccessorResponseNodesAddrsFieldEvent> {
    return streamMessage(buf, FindSuccessorResponse.codec(), opts)
  }
}

export interface VnodeRequest {
  vnode: number
}

export namespace VnodeRequest {
  let _codec: Codec<VnodeRequest>

  export const codec = (): Codec<VnodeRequest> => {
    if (_codec == null) {
      _codec = message<VnodeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.vnode != null && obj.vnode !== 0)) {
          w.uint32(8)
          w.uint32(obj.vnode)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          vnode: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.vnode = reader.uint32()
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
                field: `${prefix}.vnode`,
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

  export interface VnodeRequestVnodeFieldEvent {
    field: '$.vnode'
    value: number
  }

  export function encode (obj: Partial<VnodeRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VnodeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VnodeRequest>): VnodeRequest {
    return decodeMessage(buf, VnodeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VnodeRequest>): Generator<VnodeRequestVnodeFieldEvent> {
    return streamMessage(buf, VnodeRequest.codec(), opts)
  }
}

export interface PredecessorResponse {
  predecessor?: Node
}

export namespace PredecessorResponse {
  let _codec: Codec<PredecessorResponse>

  export const codec = (): Codec<PredecessorResponse> => {
    if (_codec == null) {
      _codec = message<PredecessorResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.predecessor != null) {
          w.uint32(10)
          Node.codec().encode(obj.predecessor, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.predecessor = Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.predecessor
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Node.codec().stream(reader, reader.uint32(), `${prefix}.predecessor`, {
                limits: opts.limits?.predecessor
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

  export interface PredecessorResponsePredecessorPeerIdFieldEvent {
    field: '$.predecessor.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PredecessorResponsePredecessorVnodeFieldEvent {
    field: '$.predecessor.vnode'
    value: number
  }

  export interface PredecessorResponsePredecessorAddrsFieldEvent {
    field: '$.predecessor.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PredecessorResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PredecessorResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PredecessorResponse>): PredecessorResponse {
    return decodeMessage(buf, PredecessorResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PredecessorResponse>): Generator<PredecessorResponsePredecessorPeerIdFieldEvent | PredecessorResponsePredecessorVnodeFieldEvent | PredecessorResponsePredecessorAddrsFieldEvent> {
    return streamMessage(buf, PredecessorResponse.codec(), opts)
  }
}

export interface SuccessorListResponse {
  successors: Node[]
}

export namespace SuccessorListResponse {
  let _codec: Codec<SuccessorListResponse>

  export const codec = (): Codec<SuccessorListResponse> => {
    if (_codec == null) {
      _codec = message<SuccessorListResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.successors != null && obj.successors.length > 0) {
          for (const value of obj.successors) {
            w.uint32(10)
            Node.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          successors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.successors != null && obj.successors.length === opts.limits.successors) {
                throw new MaxLengthError('Decode error - repeated field "successors" had too many elements')
              }

              obj.successors.push(Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.successors$
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
          successors: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.successors != null && obj.successors === opts.limits.successors) {
                throw new MaxLengthError('Streaming decode error - repeated field "successors" had too many elements')
              }

              for (const evt of Node.codec().stream(reader, reader.uint32(), `${prefix}.successors[]`, {
                limits: opts.limits?.successors$
              })) {
                yield {
                  ...evt,
                  index: obj.successors
                }
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

  export interface SuccessorListResponseSuccessorsPeerIdFieldEvent {
    field: '$.successors[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SuccessorListResponseSuccessorsVnodeFieldEvent {
    field: '$.successors[].vnode'
    value: number
    index: number
  }

  export interface SuccessorListResponseSuccessorsAddrsFieldEvent {
    field: '$.successors[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SuccessorListResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SuccessorListResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SuccessorListResponse>): SuccessorListResponse {
    return decodeMessage(buf, SuccessorListResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SuccessorListResponse>): Generator<SuccessorListResponseSuccessorsPeerIdFieldEvent | SuccessorListResponseSuccessorsVnodeFieldEvent | SuccessorListResponseSuccessorsAddrsFieldEvent> {
    return streamMessage(buf, SuccessorListResponse.codec(), opts)
  }
}

export interface NotifyRequest {
  vnode: number
  from?: Node
}

export namespace NotifyRequest {
  let _codec: Codec<NotifyRequest>

  export const codec = (): Codec<NotifyRequest> => {
    if (_codec == null) {
      _codec = message<NotifyRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.vnode != null && obj.vnode !== 0)) {
          w.uint32(8)
          w.uint32(obj.vnode)
        }

        if (obj.from != null) {
          w.uint32(18)
          Node.codec().encode(obj.from, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          vnode: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.vnode = reader.uint32()
              break
            }
            case 2: {
              obj.from = Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.from
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
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.vnode`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Node.codec().stream(reader, reader.uint32(), `${prefix}.from`, {
                limits: opts.limits?.from
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

  export interface NotifyRequestVnodeFieldEvent {
    field: '$.vnode'
    value: number
  }

  export interface NotifyRequestFromPeerIdFieldEvent {
    field: '$.from.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface NotifyRequestFromVnodeFieldEvent {
    field: '$.from.vnode'
    value: number
  }

  export interface NotifyRequestFromAddrsFieldEvent {
    field: '$.from.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<NotifyRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, NotifyRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NotifyRequest>): NotifyRequest {
    return decodeMessage(buf, NotifyRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NotifyRequest>): Generator<NotifyRequestVnodeFieldEvent | NotifyRequestFromPeerIdFieldEvent | NotifyRequestFromVnodeFieldEvent | NotifyRequestFromAddrsFieldEvent> {
    return streamMessage(buf, NotifyRequest.codec(), opts)
  }
}

export interface LeaveRequest {
  vnode: number
  leaving?: Node
  predecessor?: Node
  successors: Node[]
}

export namespace LeaveRequest {
  let _codec: Codec<LeaveRequest>

  export const codec = (): Codec<LeaveRequest> => {
    if (_codec == null) {
      _codec = message<LeaveRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.vnode != null && obj.vnode !== 0)) {
          w.uint32(8)
          w.uint32(obj.vnode)
        }

        if (obj.leaving != null) {
          w.uint32(18)
          Node.codec().encode(obj.leaving, w)
        }

        if (obj.predecessor != null) {
          w.uint32(26)
          Node.codec().encode(obj.predecessor, w)
        }

        if (obj.successors != null && obj.successors.length > 0) {
          for (const value of obj.successors) {
            w.uint32(34)
            Node.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          vnode: 0,
          successors: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.vnode = reader.uint32()
              break
            }
            case 2: {
              obj.leaving = Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leaving
              })
              break
            }
            case 3: {
              obj.predecessor = Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.predecessor
              })
              break
            }
            case 4: {
              if (opts.limits?.successors != null && obj.successors.length === opts.limits.successors) {
                throw new MaxLengthError('Decode error - repeated field "successors" had too many elements')
              }

              obj.successors.push(Node.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.successors$
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
          successors: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.vnode`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Node.codec().stream(reader, reader.uint32(), `${prefix}.leaving`, {
                limits: opts.limits?.leaving
              })

              break
            }
            case 3: {
              yield * Node.codec().stream(reader, reader.uint32(), `${prefix}.predecessor`, {
                limits: opts.limits?.predecessor
              })

              break
            }
            case 4: {
              if (opts.limits?.successors != null && obj.successors === opts.limits.successors) {
                throw new MaxLengthError('Streaming decode error - repeated field "successors" had too many elements')
              }

              for (const evt of Node.codec().stream(reader, reader.uint32(), `${prefix}.successors[]`, {
                limits: opts.limits?.successors$
              })) {
                yield {
                  ...evt,
                  index: obj.successors
                }
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

  export interface LeaveRequestVnodeFieldEvent {
    field: '$.vnode'
    value: number
  }

  export interface LeaveRequestLeavingPeerIdFieldEvent {
    field: '$.leaving.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaveRequestLeavingVnodeFieldEvent {
    field: '$.leaving.vnode'
    value: number
  }

  export interface LeaveRequestLeavingAddrsFieldEvent {
    field: '$.leaving.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaveRequestPredecessorPeerIdFieldEvent {
    field: '$.predecessor.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaveRequestPredecessorVnodeFieldEvent {
    field: '$.predecessor.vnode'
    value: number
  }

  export interface LeaveRequestPredecessorAddrsFieldEvent {
    field: '$.predecessor.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface LeaveRequestSuccessorsPeerIdFieldEvent {
    field: '$.successors[].peerId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface LeaveRequestSuccessorsVnodeFieldEvent {
    field: '$.successors[].vnode'
    value: number
    index: number
  }

  export interface LeaveRequestSuccessorsAddrsFieldEvent {
    field: '$.successors[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<LeaveRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, LeaveRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveRequest>): LeaveRequest {
    return decodeMessage(buf, LeaveRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaveRequest>): Generator<LeaveRequestVnodeFieldEvent | LeaveRequestLeavingPeerIdFieldEvent | LeaveRequestLeavingVnodeFieldEvent | LeaveRequestLeavingAddrsFieldEvent | LeaveRequestPredecessorPeerIdFieldEvent | LeaveRequestPredecessorVnodeFieldEvent | LeaveRequestPredecessorAddrsFieldEvent | LeaveRequestSuccessorsPeerIdFieldEvent | LeaveRequestSuccessorsVnodeFieldEvent | LeaveRequestSuccessorsAddrsFieldEvent> {
    return streamMessage(buf, LeaveRequest.codec(), opts)
  }
}

export interface Empty {}

export namespace Empty {
  let _codec: Codec<Empty>

  export const codec = (): Codec<Empty> => {
    if (_codec == null) {
      _codec = message<Empty>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export function encode (obj: Partial<Empty>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Empty.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Empty>): Empty {
    return decodeMessage(buf, Empty.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Empty>): Generator<{}> {
    return streamMessage(buf, Empty.codec(), opts)
  }
}
