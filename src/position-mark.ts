/**
 * The ring position a peer chose (position-choice.ts) is kept beside its
 * records, `/chord/meta/position`: after a restart — a crash, a power cut —
 * the peer returns to the position its records belong to instead of
 * choosing anew. A graceful leave hands the records over and forgets it.
 */
import { POSITION_MARK } from './store/meta-keys.ts'
import { errorMessage } from './util/errors.ts'
import type { RingPeer } from './ring/ring-peer.ts'
import type { LocalStore } from './store/local-store.ts'
import type { Logger } from '@libp2p/interface'

/** Read the stored position, if any, as the one the ring takes at its next join */
export async function restorePosition (local: LocalStore, ring: RingPeer, choices: number, log: Logger): Promise<void> {
  const bytes = await local.getMeta(POSITION_MARK)
  if (bytes === undefined || bytes.length === 0) return
  const vnode = bytes.length === 2 ? new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0) : -1
  if (vnode < 0 || vnode >= choices) {
    log('stored ring position %s is not one of %d: choosing anew', bytes.length === 2 ? vnode : 'record', choices)
    return
  }
  ring.preferPosition(vnode)
}

/** Store the position the ring holds now (one position per peer), and return to it at the next join */
export function savePosition (local: LocalStore, ring: RingPeer, vnode: number, log: Logger): void {
  if (ring.nodes.length !== 1) return
  const bytes = new Uint8Array(2)
  new DataView(bytes.buffer).setUint16(0, vnode)
  ring.preferPosition(vnode)
  local.putMeta(POSITION_MARK, bytes)
    .catch(err => { log('could not store the ring position: %s', errorMessage(err)) })
}

/** After a graceful leave: the records went with it, the next join chooses afresh (a failed write only means the old place is taken again) */
export async function forgetPosition (local: LocalStore, ring: RingPeer, log: Logger): Promise<void> {
  ring.preferPosition(undefined)
  await local.putMeta(POSITION_MARK, new Uint8Array(0))
    .catch(err => { log('could not forget the ring position: %s', errorMessage(err)) })
}
