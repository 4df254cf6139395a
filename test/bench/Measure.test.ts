/**
 * The benchmark's measurement with peers: every contender's outcome is checked against the
 * baseline's, the order rotates each repetition, and the ratios are the documented ones — timed on
 * a fake clock that each fake contender advances by a fixed cost, so the figures are exact.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Measure from "../../bench/harness/Measure.ts"
import type * as Outcome from "../../bench/harness/Outcome.ts"
import type * as Workload from "../../bench/harness/Workload.ts"

const same: Outcome.Outcome = { events: 3, balances: { a: 7 }, versions: { "account-a": 3 } }

const fake = () => {
  let clock = 0
  const order: Array<string> = []
  const contender = (name: string, cost: number, outcome: Outcome.Outcome = same): Workload.Contender => ({
    prepare: async () => async () => {
      order.push(name)
      clock += cost
      return outcome
    }
  })
  return { now: () => clock, order, contender }
}

const workload = (
  contender: ReturnType<typeof fake>["contender"],
  peers: ReadonlyArray<Workload.Peer>,
  peerTarget?: number
): Workload.Workload => ({
  id: "W0",
  work: "fake work",
  items: 100,
  unit: "events",
  target: 0.5,
  peerTarget,
  baseline: contender("baseline", 10),
  chronicle: contender("chronicle", 20),
  peers
})

const options = (now: () => number): Measure.Options => ({ warmups: 1, repetitions: 5, now })

describe("Measure with peers", () => {
  it("fails the workload when a peer's outcome differs from the baseline's, naming the peer", async () => {
    const { contender, now } = fake()
    const other = { ...same, balances: { a: 8 } }
    const measuring = Measure.run(workload(contender, [{ name: "other-lib", contender: contender("other-lib", 5, other) }]), options(now))
    const error = await measuring.then(() => undefined, (error: unknown) => error)
    assert.instanceOf(error, Measure.MismatchError)
    assert.include((error as Error).message, "W0: other-lib produced")
  })

  it("computes each ratio per repetition as documented and picks the fastest peer as the best", async () => {
    const { contender, now } = fake()
    const measured = await Measure.run(
      workload(contender, [
        { name: "slow", contender: contender("slow", 40) },
        { name: "quick", contender: contender("quick", 25) }
      ], 1),
      options(now)
    )
    assert.strictEqual(measured.ratio.median, 10 / 20) // baseline time / Chronicle time
    const [slow, quick] = measured.peers.filter(Measure.isMeasured)
    assert.strictEqual(slow!.side.time.median, 40)
    assert.strictEqual(slow!.ratio.median, 10 / 40) // baseline time / peer time
    assert.strictEqual(slow!.versus.median, 40 / 20) // peer time / Chronicle time
    assert.strictEqual(quick!.versus.median, 25 / 20)
    assert.strictEqual(quick!.versus.samples.length, 5)
    assert.deepStrictEqual(measured.best && { peer: measured.best.peer, median: measured.best.ratio.median, met: measured.best.met }, {
      peer: "quick",
      median: 1.25,
      met: true
    })
  })

  it("misses the peer target when Chronicle is slower than the best peer, and reports without one", async () => {
    const missed = fake()
    const slower = await Measure.run(workload(missed.contender, [{ name: "fast", contender: missed.contender("fast", 16) }], 1), options(missed.now))
    assert.strictEqual(slower.best?.ratio.median, 16 / 20)
    assert.isFalse(slower.best?.met)
    const reported = fake()
    const untargeted = await Measure.run(workload(reported.contender, [{ name: "fast", contender: reported.contender("fast", 16) }]), options(reported.now))
    assert.isUndefined(untargeted.best?.met)
  })

  it("runs every contender once per repetition, rotating who goes first", async () => {
    const { contender, now, order } = fake()
    await Measure.run(workload(contender, [{ name: "peer", contender: contender("peer", 5) }]), { ...options(now), warmups: 0, repetitions: 3 })
    assert.deepStrictEqual(order, [
      "baseline", // the reference outcome
      "baseline", "chronicle", "peer",
      "chronicle", "peer", "baseline",
      "peer", "baseline", "chronicle"
    ])
  })

  it("does not run a peer marked unavailable, keeps its reason, and picks the best among the others", async () => {
    const { contender, now, order } = fake()
    const measured = await Measure.run(
      workload(contender, [{ name: "absent", unavailable: "too slow" }, { name: "present", contender: contender("present", 30) }], 1),
      options(now)
    )
    assert.notInclude(order, "absent")
    assert.deepStrictEqual(measured.peers[0], { name: "absent", unavailable: "too slow" })
    assert.strictEqual(measured.best?.peer, "present")
  })

  it("measures a workload without peers as before: no peer figures, no best", async () => {
    const { contender, now } = fake()
    const measured = await Measure.run(workload(contender, []), options(now))
    assert.deepStrictEqual(measured.peers, [])
    assert.isUndefined(measured.best)
    assert.isTrue(measured.met) // 0.5 ≥ 0.5: the target is a floor
  })
})
