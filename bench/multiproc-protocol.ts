/**
 * The control channel between bench/multiproc.ts and its peer processes
 * (child_process IPC with advanced serialization, so Uint8Array and bigint
 * cross as they are). Every request carries an id its reply repeats.
 */
import type { Consistency, RingState } from '../src/index.ts'
import type { Muxer } from './types.ts'

export type PeerRequest = { id: number } & (
  | { type: 'start', muxer: Muxer, successors: number, bootstrap: string[], joinTimeoutMs: number }
  | { type: 'state' }
  | { type: 'cpu' }
  | { type: 'put', key: string, value: Uint8Array, consistency: Consistency, timeoutMs: number }
  | { type: 'get', key: string, consistency: Consistency, timeoutMs: number }
  | { type: 'stop' }
)

/** id 0: the process is up and listening */
export interface PeerReply {
  id: number
  error?: string
  addr?: string
  state?: RingState
  cpuMs?: number
  value?: Uint8Array
}
