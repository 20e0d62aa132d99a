/**
 * One chord peer in a process of its own, as a daemon runs, driven by
 * bench/multiproc.ts over the IPC channel: start (create or join), report
 * ring state and CPU, run puts and gets on request, stop. Exits when the
 * parent goes away, so no peer outlives the bench.
 */
import { createChordPeer } from './chord-ring.ts'
import type { Peer } from './chord-ring.ts'
import type { PeerReply, PeerRequest } from './multiproc-protocol.ts'

let peer: Peer | undefined

process.on('disconnect', () => { process.exit(0) })

/** the parent may be gone already: then there is nobody to answer, and 'disconnect' ends us */
function reply (message: PeerReply): void {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

async function started (): Promise<Peer> {
  if (peer === undefined) throw new Error('peer not started')
  return peer
}

async function handle (req: PeerRequest): Promise<Omit<PeerReply, 'id'>> {
  switch (req.type) {
    case 'start': {
      peer = await createChordPeer(req.muxer, { successorListLength: req.successors, bootstrap: req.bootstrap })
      const deadline = Date.now() + req.joinTimeoutMs
      while (!peer.services.chord.joined) {
        if (Date.now() > deadline) throw new Error(`not joined after ${req.joinTimeoutMs} ms`)
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      return { addr: peer.getMultiaddrs()[0].toString() }
    }
    case 'state': return { state: (await started()).services.chord.getRingState() }
    case 'cpu': {
      const used = process.cpuUsage()
      return { cpuMs: (used.user + used.system) / 1000 }
    }
    case 'put': {
      await (await started()).services.chord.put(req.key, req.value, { consistency: req.consistency, signal: AbortSignal.timeout(req.timeoutMs) })
      return {}
    }
    case 'get': return { value: await (await started()).services.chord.get(req.key, { consistency: req.consistency, signal: AbortSignal.timeout(req.timeoutMs) }) }
    case 'stop': {
      if (peer !== undefined) {
        peer.services.chord.leaveOnStop = false
        await peer.stop()
      }
      return {}
    }
  }
}

process.on('message', (req: PeerRequest) => {
  handle(req).then(
    body => { reply({ id: req.id, ...body }) },
    (err: unknown) => { reply({ id: req.id, error: (err as Error).message ?? String(err) }) }
  ).finally(() => {
    if (req.type === 'stop' && process.connected) process.disconnect()
  })
})
reply({ id: 0 })
