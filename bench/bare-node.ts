/**
 * A plain libp2p node on the same transport stack as the chord nodes (TCP on
 * 127.0.0.1, noise, one muxer), with whatever services a benchmark adds.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { muxerFactory } from '../src/node.ts'
import type { Muxer } from './types.ts'
import type { Libp2p } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

export type BaseServices = { identify: unknown, ping: unknown }

/** `services` are added after identify and ping (kad-dht needs both); callers type the result */
export async function createBareNode (muxer: Muxer, services: NonNullable<Libp2pOptions['services']>): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [muxerFactory(muxer)],
    // every peer is on 127.0.0.1: lift the inbound connections/s per host limit, as the chord bench does
    connectionManager: { inboundConnectionThreshold: Infinity, dialTimeout: 5000 },
    services: {
      identify: identify(),
      ping: ping(),
      ...services
    }
  })
}
