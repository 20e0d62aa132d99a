/**
 * Network traffic for GET /stats, read from the node's Prometheus registry
 * (createChordNode's metricsRegistry): bytes sent and received in all and
 * per protocol, and ring requests sent and served.
 */
import type { Registry } from 'prom-client'

export interface NetworkJson {
  sent: number
  received: number
  /** bytes by protocol, e.g. /chord/1.0.0 */
  protocols: Record<string, { sent: number, received: number }>
  /** requests this peer sent to others over /chord/1.0.0 */
  requestsSent: number
  /** requests this peer answered for others */
  requestsServed: number
}

export async function networkFigures (registry: Registry): Promise<NetworkJson> {
  const figures: NetworkJson = { sent: 0, received: 0, protocols: {}, requestsSent: 0, requestsServed: 0 }
  for (const metric of await registry.getMetricsAsJSON()) {
    if (metric.name === 'libp2p_data_transfer_bytes_total') {
      for (const { value, labels } of metric.values) {
        // labels look like "global sent" or "/chord/1.0.0 received"
        const match = /^(.*) (sent|received)$/.exec(String(labels.protocol ?? ''))
        if (match === null) continue
        const [, protocol, direction] = match as unknown as [string, string, 'sent' | 'received']
        if (protocol === 'global') figures[direction] = value
        else (figures.protocols[protocol] ??= { sent: 0, received: 0 })[direction] = value
      }
    } else if (metric.name === 'chord_rpc_requests_total') {
      figures.requestsSent = metric.values.reduce((sum, { value }) => sum + value, 0)
    } else if (metric.name === 'chord_rpc_served_total') {
      figures.requestsServed = metric.values[0]?.value ?? 0
    }
  }
  return figures
}
