/**
 * The benchmark's report with peers: the peer columns appear only when a row has peers, say what
 * `Measure` computed, and a peer not run is said so, with its reason, below the table.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Measure from "../../bench/harness/Measure.ts"
import * as Report from "../../bench/harness/Report.ts"
import type * as Workload from "../../bench/harness/Workload.ts"

type FakePeer = { readonly name: string; readonly cost: number } | { readonly name: string; readonly unavailable: string }

const measure = (peers: ReadonlyArray<FakePeer>) => {
  let clock = 0
  const contender = (cost: number): Workload.Contender => ({
    prepare: async () => async () => {
      clock += cost
      return { events: 1, balances: {} }
    }
  })
  return Measure.run(
    {
      id: "W0",
      work: "fake work",
      items: 1_000,
      unit: "events",
      target: 0.5,
      peerTarget: 1,
      baseline: contender(10),
      chronicle: contender(20),
      peers: peers.map((peer) => "unavailable" in peer ? peer : { name: peer.name, contender: contender(peer.cost) })
    },
    { warmups: 0, repetitions: 5, now: () => clock }
  )
}

const report = (rows: ReadonlyArray<Report.Row>): Report.Report => ({
  date: "2026-12-01T00:00:00.000Z",
  ratio: Report.ratioDefinition,
  peerRatios: Report.peerRatioDefinition,
  repetitions: 5,
  warmups: 0,
  environment: {},
  rows,
  heap: []
})

describe("Report with peers", () => {
  it("keeps today's columns for rows without peers", async () => {
    const [header] = Report.text(report([await measure([])])).split("\n")
    assert.match(header!, /^id +work +Chronicle \(median \[min–max\]\) +baseline \(median \[min–max\]\) +ratio \(median \[min–max\]\) +target +verdict$/)
    assert.notInclude(Report.text(report([await measure([])])), Report.peerRatioDefinition)
  })

  it("adds each peer's time and ratio to plain JS, Chronicle ÷ each peer, and Chronicle ÷ the best peer with its verdict", async () => {
    const text = Report.text(report([await measure([{ name: "p40", cost: 40 }, { name: "p16", cost: 16 }])]))
    const [header, row] = text.split("\n")
    assert.include(header, "p40 (median [min–max]; ÷ plain JS)")
    assert.include(header, "Chronicle ÷ p16 (median [min–max])")
    assert.include(header, "Chronicle ÷ best peer (median [min–max])")
    assert.include(row, "40.0 ms [40.0 ms–40.0 ms] 25.0k/s; 0.250") // baseline 10 ms / p40's 40 ms
    assert.include(row, "2.000 [2.000–2.000]") // Chronicle ÷ p40: 40 ms / 20 ms
    // The best peer, 16 ms / 20 ms, against the target of 1.
    assert.match(row!, /0\.800 \[0\.800–0\.800\] \(p16\) +≥ 1 +MISSED$/)
    assert.include(text, Report.peerRatioDefinition)
  })

  it("says a peer was not run, and why, in its place and below the table", async () => {
    const markdown = Report.markdown(report([await measure([{ name: "p25", cost: 25 }, { name: "slowlib", unavailable: "appends copy the stream" }])]))
    assert.include(markdown, "| not run (see below) |")
    assert.include(markdown, "- W0 slowlib not run: appends copy the stream")
    assert.include(markdown, "(p25)")
  })
})
