import assert from 'node:assert/strict'
import { parseHostPort, UsageError } from '../../src/cli/usage.ts'

describe('cli/usage: parseHostPort', () => {
  it('takes HOST:PORT, [IPv6]:PORT, and the URL the daemon logs', () => {
    assert.deepEqual(parseHostPort('api', '127.0.0.1:5001'), { host: '127.0.0.1', port: 5001 })
    assert.deepEqual(parseHostPort('api', '[::1]:5001'), { host: '::1', port: 5001 })
    assert.deepEqual(parseHostPort('api', 'http://127.0.0.1:5001'), { host: '127.0.0.1', port: 5001 })
    assert.deepEqual(parseHostPort('api', 'HTTP://localhost:5001/'), { host: 'localhost', port: 5001 })
  })

  it('refuses what is not an address, naming the flag', () => {
    for (const bad of ['127.0.0.1', ':5001', '127.0.0.1:70000', 'http://127.0.0.1:5001/keys', 'ftp://h:1']) {
      assert.throws(() => parseHostPort('api', bad), (err: Error) => err instanceof UsageError && err.message.startsWith('--api'), bad)
    }
    assert.throws(() => parseHostPort('api', 'https://127.0.0.1:5001'), /plain http/)
  })
})
