import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../store/group-commit.js';

describe('GroupCommit', () => {
  it('puts items submitted together into one batch and answers each after the write', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => item * 10);
    });
    const first = await Promise.all([1, 2, 3].map((item) => queue.submit(item)));
    expect(first).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects what arrives during a write into the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items;
    });
    const a = queue.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((item) => queue.submit(item));
    release();
    expect(await Promise.all([a, ...rest])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    const queue = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, index) => queue.submit(index)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('isolates a poisoned item: only its caller gets the error', async () => {
    const queue = new GroupCommit<number, number>(async (items) => {
      if (items.includes(13)) throw new Error('thirteen');
      return items;
    });
    const results = await Promise.allSettled([12, 13, 14].map((item) => queue.submit(item)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await queue.drained();
    expect(queue.pending).toBe(0);
  });
});
