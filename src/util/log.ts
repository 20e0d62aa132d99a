/** Debug logging, matching @libp2p/logger's shape so the service can inject it */
export interface Log {
  (formatter: string, ...args: unknown[]): void
  error(formatter: string, ...args: unknown[]): void
}

export const silentLog: Log = Object.assign(() => {}, { error: () => {} })
