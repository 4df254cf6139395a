/**
 * The benchmark's Emmett peer (`bench/peers/EmmettPostgres.ts`) on a real server: an append with a
 * stale expected version is refused (so PGW's "exact expected version" holds on Emmett's side too),
 * its command handler folds the same bank-account decider, and its log is counted per stream.
 */
import { isExpectedVersionConflictError } from "@event-driven-io/emmett"
import { assert, describe, it } from "@effect/vitest"
import pg from "pg"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll } from "vitest"
import * as EmmettPostgres from "../../../bench/peers/EmmettPostgres.ts"
import { requireServer } from "../database.ts"

const url = requireServer()
const database = `test_emmett_${randomBytes(6).toString("hex")}`
const onDatabase = new URL(url)
onDatabase.pathname = `/${database}`

const admin = (sql: string) => {
  const client = new pg.Client({ connectionString: url })
  return client.connect().then(() => client.query(sql)).finally(() => client.end())
}

describe("EmmettPostgres", () => {
  beforeAll(() => admin(`CREATE DATABASE ${database}`))
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))

  it("appends at the exact expected version and refuses a stale one", async () => {
    const store = await EmmettPostgres.open(onDatabase.toString(), 2)
    try {
      await store.clear()
      assert.strictEqual(await store.append("account-1", { _tag: "AccountOpened", accountId: "1", owner: "Ada" }, 0), 1)
      assert.strictEqual(await store.append("account-1", { _tag: "Deposited", accountId: "1", amount: 5 }, 1), 2)
      const stale = await store.append("account-1", { _tag: "Deposited", accountId: "1", amount: 5 }, 1).then(
        () => "appended",
        (error: unknown) => isExpectedVersionConflictError(error) ? "conflict" : String(error)
      )
      assert.strictEqual(stale, "conflict")
      assert.deepStrictEqual(await store.streams(), [{ streamId: "account-1", events: 2, first: 1, last: 2 }])
    } finally {
      await store.close()
    }
  })

  it("handles bank-account commands with the decider, rejections included, and empties its log", async () => {
    const store = await EmmettPostgres.open(onDatabase.toString(), 2)
    try {
      await store.clear()
      assert.strictEqual(await store.handle({ _tag: "Open", accountId: "7", owner: "Bo" }), 1)
      assert.strictEqual(await store.handle({ _tag: "Deposit", accountId: "7", amount: 10 }), 2)
      const overdraft = await store.handle({ _tag: "Withdraw", accountId: "7", amount: 11 }).then(
        () => "accepted",
        (error: Error) => error.message
      )
      assert.match(overdraft, /InsufficientFunds/)
      assert.deepStrictEqual(await store.streams(), [{ streamId: "account-7", events: 2, first: 1, last: 2 }])
      await store.clear()
      assert.deepStrictEqual(await store.streams(), [])
    } finally {
      await store.close()
    }
  })
})
