import type { Envelope } from "@chronicle/core"
import { Decider, Projection } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { counter } from "./fixtures.ts"

type Event = { readonly _tag: "Incremented" } | { readonly _tag: "WasReset" }
const incremented: Event = { _tag: "Incremented" }
const reset: Event = { _tag: "WasReset" }

const count = Projection.make({ initialState: 0, evolve: (n: number, _event: Event) => n + 1 })

describe("Projection", () => {
  it("fromDecider keeps the decider's state as a read model", () => {
    const state = Projection.fromDecider(counter)
    assert.strictEqual(Projection.fold(state, [incremented, incremented, reset, incremented]), 1)
    assert.strictEqual(Projection.fold(state, [incremented]), Decider.fold(counter, [incremented]))
  })

  it("combine runs both over the same events", () => {
    const both = Projection.combine(Projection.fromDecider(counter), count)
    assert.deepStrictEqual(Projection.fold(both, [incremented, reset, incremented]), [1, 3])
  })

  it("mapEvent adapts the event type and passes over what it maps to undefined", () => {
    const resets = Projection.mapEvent(count, (event: Event) => (event._tag === "WasReset" ? event : undefined))
    assert.strictEqual(Projection.fold(resets, [incremented, reset, incremented, reset]), 2)
  })

  it("recorded lifts a projection of events to their envelopes; it combines with one that reads envelopes", () => {
    const envelope = (streamId: string, version: number, data: Event): Envelope.Recorded<Event> => ({
      streamId,
      version,
      position: version,
      type: data._tag,
      data,
      metadata: { eventId: `${streamId}-${version}`, recordedAt: version * 1000 }
    })
    const records = [envelope("s", 1, incremented), envelope("s", 2, reset), envelope("t", 3, incremented)]
    const state = Projection.fromDecider(counter)
    assert.strictEqual(Projection.fold(Projection.recorded(state), records), Projection.fold(state, records.map((r) => r.data)))
    const lastSeen = Projection.make({
      initialState: new Map<string, number>(),
      evolve: (seen, recorded: Envelope.Recorded<Event>) => new Map(seen).set(recorded.streamId, recorded.metadata.recordedAt)
    })
    const [total, seen] = Projection.fold(Projection.combine(Projection.recorded(state), lastSeen), records)
    assert.strictEqual(total, 1)
    assert.deepStrictEqual([...seen], [["s", 2000], ["t", 3000]])
  })

  it("fold continues from a given state", () => {
    assert.strictEqual(Projection.fold(count, [reset], 10), 11)
  })
})
