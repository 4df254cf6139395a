/**
 * The peers of the in-memory workloads, on small sizes: each one does the work of its row (its
 * outcome equals the baseline's, which `Measure.run` checks), and fmodel-ts's repository checks
 * the version it is given as the fmodel-ts docs ask.
 */
import { BankAccount } from "@chronicle/examples"
import { assert, describe, it } from "@effect/vitest"
import * as Measure from "../../bench/harness/Measure.ts"
import * as Emmett from "../../bench/peers/Emmett.ts"
import * as Fmodel from "../../bench/peers/Fmodel.ts"
import * as AppendRate from "../../bench/workloads/AppendRate.ts"
import * as CommandHandling from "../../bench/workloads/CommandHandling.ts"
import * as ProjectionRebuild from "../../bench/workloads/ProjectionRebuild.ts"
import * as StreamFold from "../../bench/workloads/StreamFold.ts"

const once: Measure.Options = { warmups: 0, repetitions: 1 }

const measuredPeers = (measured: Measure.Measured) => measured.peers.filter(Measure.isMeasured).map(({ name }) => name)

describe("bench peers", () => {
  it("W1: fmodel-ts and Emmett handle the commands to the baseline's balances and versions", async () => {
    const measured = await Measure.run(CommandHandling.make({ commands: 300, accounts: 10 }), once)
    assert.deepStrictEqual(measuredPeers(measured), ["fmodel-ts", "Emmett"])
    assert.strictEqual(measured.outcome.events, 300)
    assert.strictEqual(measured.best?.target, 1)
  })

  for (const temperature of ["cold", "warm"] as const) {
    it(`W2 and W3 (${temperature}): both peers read and fold what the baseline folds`, async () => {
      const fold = await Measure.run(StreamFold.make(2_000, temperature), once)
      assert.deepStrictEqual(measuredPeers(fold), ["fmodel-ts", "Emmett"])
      assert.strictEqual(fold.outcome.versions?.[BankAccount.streamId("0")], 2_000)
      const rebuild = await Measure.run(ProjectionRebuild.make({ accounts: 10, perAccount: 200 }, temperature), once)
      assert.deepStrictEqual(measuredPeers(rebuild), ["fmodel-ts", "Emmett"])
      assert.strictEqual(Object.keys(rebuild.outcome.balances).length, 10)
    })
  }

  it("W4: fmodel-ts appends one by one to the baseline's version; Emmett is reported as not run, with why", async () => {
    const measured = await Measure.run(AppendRate.make(1_000), once)
    assert.deepStrictEqual(measuredPeers(measured), ["fmodel-ts"])
    assert.deepStrictEqual(measured.peers[1], { name: "Emmett", unavailable: Emmett.appendCost })
  })

  it("fmodel-ts's repository refuses a save at a version the stream has moved past", async () => {
    const repository = Fmodel.repository()
    const opened: BankAccount.Event = { _tag: "AccountOpened", accountId: "1", owner: "Ada" }
    assert.deepStrictEqual(await repository.save(opened, null), [opened, 1])
    const error = await repository.save({ _tag: "Deposited", accountId: "1", amount: 5 }, null).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(error, Fmodel.VersionConflict)
    assert.deepInclude(error as Fmodel.VersionConflict, { streamId: "account-1", expected: 0, actual: 1 })
    assert.strictEqual(repository.log.length, 1)
  })
})
