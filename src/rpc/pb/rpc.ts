import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Frame {
  id: number
  response: boolean
  method: number
  body: Uint8Array<ArrayBuffer>
  error?: string
  errorCode?: string
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.response != null && obj.response !== false)) {
          w.uint32(16)
          w.bool(obj.response)
        }

        if ((obj.method != null && obj.method !== 0)) {
          w.uint32(24)
          w.uint32(obj.method)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.body)
        }

        if (obj.error != null) {
          w.uint32(42)
          w.string(obj.error)
        }

        if (obj.errorCode != null) {
          w.uint32(50)
          w.string(obj.errorCode)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          response: false,
          method: 0,
          body: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.response = reader.bool()
              break
            }
            case 3: {
              obj.method = reader.uint32()
              break
            }
            case 4: {
              obj.body = reader.bytes()
              break
            }
            case 5: {
              obj.error = reader.string()
              break
            }
            case 6: {
              obj.errorCode = reader.string()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.response`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.method`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.errorCode`,
                value: reader.string()
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

  export interface FrameIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface FrameResponseFieldEvent {
    field: '$.response'
    value: boolean
  }

  export interface FrameMethodFieldEvent {
    field: '$.method'
    value: number
  }

  export interface FrameBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface FrameErrorCodeFieldEvent {
    field: '$.errorCode'
    value: string
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameIdFieldEvent | FrameResponseFieldEvent | FrameMethodFieldEvent | FrameBodyFieldEvent | FrameErrorFieldEvent | FrameErrorCodeFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}
