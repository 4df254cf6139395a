/**
 * Browser scenarios that need more than one page, a reload or the browser's own controls: tabs
 * sharing a database, reloads, a newer or an older release in another tab, a database left by the
 * previous release (upgraded, snapshots kept across a reload) or by another library, the storage
 * quota. Each drives test pages (`page/main.ts`) through playwright-core and throws when something
 * is wrong.
 */
import assert from "node:assert/strict"
import { randomUUID } from "node:crypto"
import type { CDPSession, Page } from "playwright-core"
import type { Api, Outcome, Row } from "./page/main.ts"

/** What a scenario can do with the browser. */
export interface Tabs {
  /** Opens a new page on the test page, ready to be called. */
  readonly open: () => Promise<Page>
  /** Reloads a page and waits until it is ready again. */
  readonly reload: (page: Page) => Promise<void>
  /**
   * Opens the test page on an origin that no other test uses, and a DevTools session on it: the
   * browser lets a DevTools session change an origin's storage quota only before the origin first
   * uses storage.
   */
  readonly openIsolated: () => Promise<{ readonly page: Page; readonly devtools: CDPSession; readonly origin: string }>
}

/** A scenario: a name and a run that throws on failure and may return a note for the report. */
export interface Scenario {
  readonly name: string
  readonly run: (tabs: Tabs) => Promise<string | void>
}

type Method = keyof Api

/** Calls `window.chronicle[method](...args)` in a page. */
export const call = <M extends Method>(page: Page, method: M, ...args: Parameters<Api[M]>): Promise<Awaited<ReturnType<Api[M]>>> =>
  page.evaluate(
    ([method, args]) => (window.chronicle[method] as (...args: ReadonlyArray<unknown>) => unknown)(...args),
    [method, args] as const
  ) as Promise<Awaited<ReturnType<Api[M]>>>

const ok = <A>(outcome: Outcome<A>, what: string): A => {
  if (!outcome.ok) assert.fail(`${what} failed: ${outcome.error.tag}: ${outcome.error.message}`)
  return outcome.value
}

const failed = <A>(outcome: Outcome<A>, what: string) => {
  if (outcome.ok) assert.fail(`${what} should have failed, but returned ${JSON.stringify(outcome.value).slice(0, 500)}`)
  return outcome.error
}

/** Polls `probe` until `done` holds, or fails after `millis`. */
const until = async <A>(what: string, probe: () => Promise<A>, done: (value: A) => boolean, millis = 10_000): Promise<A> => {
  const deadline = Date.now() + millis
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)} after ${millis} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const database = (what: string) => `${what}-${randomUUID()}`

const positions = (rows: ReadonlyArray<Row>) => rows.map((row) => row.position)

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** The scenarios, run one after the other. */
export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "page B's subscription receives the events page A appends",
    run: async (tabs) => {
      const [a, b] = [await tabs.open(), await tabs.open()]
      const db = database("tabs")
      ok(await call(a, "append", db, "s", [{ n: 1 }]), "append in A")
      await call(b, "follow", db, 1)
      for (const n of [2, 3, 4, 5]) ok(await call(a, "append", db, "s", [{ n }]), "append in A")
      const followed = await until("B's subscription", () => call(b, "followed", db), (f) =>
        f.rows.length >= 5 || f.error !== undefined)
      assert.equal(followed.error, undefined)
      assert.deepEqual(followed.rows.map((row) => [row.position, row.data]), range(1, 5).map((n) => [n, { n }]))
    }
  },
  {
    name: "pages racing appends on one stream never record a version twice",
    run: async (tabs) => {
      const [a, b] = [await tabs.open(), await tabs.open()]
      const db = database("race")
      const conflicts = await Promise.all([call(a, "race", db, "s", "A", 15), call(b, "race", db, "s", "B", 15)])
      const rows = ok(await call(b, "readAll", db), "readAll in B")
      assert.deepEqual(rows.map((row) => row.version), range(1, 60))
      assert.deepEqual(positions(rows), range(1, 60))
      const batches = new Map<string, Array<number>>()
      for (const row of rows) {
        const { i, k, writer } = row.data as { readonly writer: string; readonly i: number; readonly k: number }
        batches.set(`${writer}.${i}`, [...(batches.get(`${writer}.${i}`) ?? []), row.version - k])
      }
      assert.equal(batches.size, 30, "each append recorded once")
      for (const [batch, starts] of batches) assert.deepEqual(starts, [starts[0], starts[0]], `batch ${batch} in one piece`)
      return `${conflicts.map((c) => ok(c, "race")).reduce((x, y) => x + y)} conflicts retried`
    }
  },
  {
    name: "a reload keeps the log, and the projection resumes from its checkpoint",
    run: async (tabs) => {
      const page = await tabs.open()
      const db = database("reload")
      ok(await call(page, "append", db, "s", [1, 2, 3].map((n) => ({ _tag: "Noted", n }))), "append")
      const before = ok(await call(page, "readAll", db), "readAll")
      const first = ok(await call(page, "project", db), "project")
      assert.deepEqual(first, { resumed: { state: [], position: 0 }, caughtUp: { state: [1, 2, 3], position: 3 } })
      await tabs.reload(page)
      assert.deepEqual(ok(await call(page, "readAll", db), "readAll after the reload"), before)
      const second = ok(await call(page, "project", db), "project after the reload")
      assert.deepEqual(second.resumed, { state: [1, 2, 3], position: 3 }, "resumed from the checkpoint, not from zero")
      const next = ok(await call(page, "append", db, "s", [{ _tag: "Noted", n: 4 }]), "append after the reload")
      assert.deepEqual(next.map((row) => [row.version, row.position]), [[4, 4]])
    }
  },
  {
    name: "a newer version opened in another page closes this page's connection, with typed errors",
    run: async (tabs) => {
      const [a, b] = [await tabs.open(), await tabs.open()]
      const db = database("upgrade")
      ok(await call(a, "append", db, "s", [{ n: 1 }]), "append in A")
      await call(a, "follow", db, 1)
      await call(b, "openNewerVersion", db) // would hang, were A's connection not closed
      const append = failed(await call(a, "append", db, "s", [{ n: 2 }]), "append in A after the upgrade")
      assert.deepEqual([append.tag, append.closedBy], ["StoreError", "VersionChange"])
      const followed = await until("A's subscription", () => call(a, "followed", db), (f) => f.error !== undefined)
      assert.deepEqual([followed.error?.tag, followed.error?.closedBy], ["StoreError", "VersionChange"])
    }
  },
  {
    name: "an older page that ignores versionchange blocks an upgrade: opening fails with Blocked",
    run: async (tabs) => {
      const [a, b] = [await tabs.open(), await tabs.open()]
      const db = database("blocked")
      await call(b, "holdOlderVersion", db)
      const error = failed(await call(a, "openBlocked", db), "opening a newer version")
      assert.equal(error.tag, "IndexedDbOpenError")
      assert.match(error.message, /another tab keeps an older version open/)
      await call(b, "releaseOlderVersion", db)
    }
  },
  {
    name: "a database of the previous layout is upgraded in place; snapshots and command ids survive a reload",
    run: async (tabs) => {
      const page = await tabs.open()
      const db = database("layout")
      const opened = { _tag: "AccountOpened", accountId: "a", owner: "Ada" }
      await call(page, "createPreviousLayout", db, [{ streamId: "account-a", version: 1, position: 1, type: "AccountOpened", data: opened }])
      assert.deepEqual(await call(page, "layout", db), { version: 1, stores: ["checkpoints", "events"] })
      const deposit = { _tag: "Deposit", accountId: "a", amount: 30 }
      const first = ok(await call(page, "handle", db, deposit, "pay-1"), "deposit") // version 2: a snapshot is saved
      assert.deepEqual(first, { version: 2, state: { _tag: "Opened", balance: 30 } })
      assert.deepEqual(await call(page, "layout", db), { version: 2, stores: ["checkpoints", "events", "snapshots"] })
      await tabs.reload(page)
      const snapshot = ok(await call(page, "snapshot", db, "account-a"), "snapshot after the reload")
      assert.deepEqual(snapshot, { version: 2, stateVersion: 1, state: { _tag: "Opened", balance: 30 }, commandIds: ["pay-1"] })
      assert.deepEqual(ok(await call(page, "handle", db, deposit, "pay-1"), "the same deposit again"), first)
      assert.equal(ok(await call(page, "lastPosition", db), "lastPosition"), 2, "nothing appended")
    }
  },
  {
    name: "a foreign database of an older version is not upgraded: Incompatible, and left as it was",
    run: async (tabs) => {
      const page = await tabs.open()
      const db = database("foreign")
      await call(page, "createForeign", db)
      const error = failed(await call(page, "lastPosition", db), "opening a foreign database")
      assert.equal(error.tag, "IndexedDbOpenError")
      assert.match(error.message, /exists but was not created by Chronicle/)
      assert.deepEqual(await call(page, "layout", db), { version: 1, stores: ["notes"] })
    }
  },
  {
    name: "a write beyond the storage quota is aborted whole: nothing is written",
    run: async (tabs) => {
      const { devtools, origin, page } = await tabs.openIsolated()
      await devtools.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 2 * 1024 * 1024 })
      const db = database("quota")
      ok(await call(page, "append", db, "s", [{ n: 1 }]), "append")
      // Write until the quota is hit.
      for (let attempt = 1; attempt <= 40; attempt++) {
        const before = ok(await call(page, "lastPosition", db), "lastPosition")
        const outcome = await call(page, "appendLarge", db, "s", 512)
        if (outcome.ok) continue
        assert.deepEqual([outcome.error.tag, outcome.error.quotaExceeded], ["StoreError", true], outcome.error.message)
        assert.equal(ok(await call(page, "lastPosition", db), "lastPosition"), before, "nothing written")
        await devtools.send("Storage.overrideQuotaForOrigin", { origin })
        const next = ok(await call(page, "append", db, "s", [{ n: 2 }]), "append once space is back")
        assert.deepEqual(next.map((row) => [row.version, row.position]), [[before + 1, before + 1]])
        return `quota hit by append ${attempt}`
      }
      assert.fail("40 appends of 512 kB never hit a quota of 2 MB")
    }
  }
]
