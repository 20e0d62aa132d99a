/**
 * Lookup path lengths on a live ring: every peer looks up fresh random keys
 * and each answer is checked against the true successor.
 */
import { randomBytes } from 'node:crypto'
import { keyId } from '../src/ring/id.ts'
import { nodeKey } from '../src/ring/node-ref.ts'
import { members, trueSuccessor } from '../harness/invariants.ts'
import { ringStates } from './chord-ring.ts'
import type { Peer } from './chord-ring.ts'

export interface HopSample {
  hops: number[]
  wrong: number
  /** members that did not answer along the way (the lookup still succeeded) */
  failures: number
  /** lookups that failed altogether */
  errors: number
  firstError?: string
}

export async function sampleHops (peers: Peer[], perPeer: number): Promise<HopSample> {
  const m = members(ringStates(peers))
  const sample: HopSample = { hops: [], wrong: 0, failures: 0, errors: 0 }
  await Promise.all(peers.map(async peer => {
    for (let i = 0; i < perPeer; i++) {
      const key = randomBytes(16)
      try {
        const result = await peer.services.chord.findSuccessor(key)
        if (nodeKey(result.owner) !== nodeKey(trueSuccessor(m, keyId(key)))) sample.wrong++
        sample.hops.push(result.hops)
        sample.failures += result.failures
      } catch (err) {
        sample.errors++
        sample.firstError ??= (err as Error).message
      }
    }
  }))
  return sample
}
