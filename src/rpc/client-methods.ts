/**
 * What a client may ask a member. Clients (peers in client mode) speak a
 * protocol of their own, `<ring protocol>/client`, which only members
 * handle: a request arriving on it comes from a client, so a member can
 * never take the asker for a member, and the methods that make a peer part
 * of the ring (NOTIFY, LEAVE) or of a replica set (digests, versions,
 * SWEEP_SOON) are not offered on it at all.
 */
import { RingMethod } from './ring-protocol.ts'
import { StoreMethod } from './store-protocol.ts'

/** Lookups (one step, a successor list), a liveness check, and key reads and writes (owner checks included), and range reads for exports */
export const CLIENT_METHODS: readonly number[] = [
  RingMethod.FIND_SUCCESSOR,
  RingMethod.GET_SUCCESSOR_LIST,
  RingMethod.PING,
  RingMethod.POSITIONS,
  StoreMethod.STORE,
  StoreMethod.FETCH,
  StoreMethod.RANGE_RECORDS
]

/** The protocol clients of the ring `protocol` send their requests on */
export function clientProtocol (protocol: string): string {
  return `${protocol}/client`
}
