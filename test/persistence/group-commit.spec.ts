import assert from 'node:assert/strict'
import { GroupCommit } from '../../src/persistence/group-commit.ts'

describe('persistence/GroupCommit', () => {
  it('writes what arrives during a sync as the next group, in arrival order', async () => {
    const groups: number[][] = []
    const commit = new GroupCommit<number>({
      writeSynced: async ops => {
        groups.push(ops)
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    })
    await Promise.all(Array.from({ length: 10 }, async (_, i) => commit.commit([i])))
    assert.deepEqual(groups, [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]])
    assert.deepEqual(commit.totals, { batches: 2, writes: 10 })
  })

  it('fails every write of a failed group, and goes on with the next', async () => {
    let fail = true
    const commit = new GroupCommit<string>({
      writeSynced: async () => {
        await new Promise(resolve => setTimeout(resolve, 1))
        if (fail) throw new Error('ENOSPC')
      }
    })
    const results = await Promise.allSettled([commit.commit(['a']), commit.commit(['b'])])
    assert.deepEqual(results.map(r => r.status), ['rejected', 'rejected'])
    fail = false
    await commit.commit(['c'])
  })

  it('keeps groups within maxBatch operations, never splitting a write', async () => {
    const sizes: number[] = []
    const commit = new GroupCommit<number>({ maxBatch: 5, writeSynced: async ops => { sizes.push(ops.length); await new Promise(resolve => setTimeout(resolve, 1)) } })
    await Promise.all([commit.commit([1]), commit.commit([1, 2, 3]), commit.commit([1, 2, 3]), commit.commit([1, 2, 3, 4, 5, 6, 7])])
    assert.deepEqual(sizes, [1, 3, 3, 7])
    await commit.commit([])
  })
})
