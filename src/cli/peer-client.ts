/**
 * `--peer MULTIADDR`: a temporary libp2p node with no chord service and no
 * listen address dials the peer and sends the request over the API
 * protocol; that peer coordinates it through the ring. Joining the ring
 * instead would make the client a member, moving keys to it and back for
 * one question.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { callRemoteApi } from '../api/index.ts'
import { muxerFactory } from '../node.ts'
import { FailureError, UsageError } from './usage.ts'
import type { Transport } from './transport.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

export async function startPeerClient (addr: string, psk: Uint8Array | undefined, timeout: number): Promise<Transport> {
  let target: Multiaddr
  try {
    target = multiaddr(addr)
  } catch (err) {
    throw new UsageError(`--peer ${JSON.stringify(addr)} is not a multiaddr (${(err as Error).message})`)
  }
  const node = await createLibp2p({
    addresses: { listen: [] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    connectionProtector: psk === undefined ? undefined : preSharedKey({ psk }),
    streamMuxers: [muxerFactory('yamux'), muxerFactory('mplex')],
    connectionManager: { dialTimeout: timeout }
  })
  return {
    target: addr,
    request: async (request) => {
      try {
        return await callRemoteApi(node, target, request, { signal: AbortSignal.timeout(timeout) })
      } catch (err) {
        const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeout} ms` : (err as Error).message
        // a peer of a private ring fails the handshake or never answers it: nothing tells us which it was
        const hint = /ECONNREFUSED/.test(why) ? '' : psk === undefined ? ' (a private ring needs --psk FILE)' : ' (is --psk the ring\'s key?)'
        throw new FailureError(`cannot reach peer ${addr}: ${why}${hint}`)
      }
    },
    close: async () => { await node.stop() }
  }
}
