#!/usr/bin/env node
// libp2p 3 needs Node 22+ (Promise.withResolvers); say so instead of crashing deep inside it
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  console.error(`chord: Node.js 22 or newer is required (this is ${process.version}); run it through npm (npm start, npm exec chord) to use the bundled Node 24`)
  process.exit(2)
}
await import('../dist/src/cli/chord.js')
