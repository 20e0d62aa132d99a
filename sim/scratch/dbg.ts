process.on('unhandledRejection', (e) => { console.log('UNHANDLED', (e as Error).stack); process.exit(1) })
process.on('rejectionHandled', () => { console.log('late handled') })
await import('./fail.ts')
