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

  describe("initialState as a thunk (a read model evolve changes in place)", () => {
    /** Counts events per tag in a Map it changes in place: sharing one Map between folds doubles the counts. */
    const perTag = Projection.make({
      initialState: () => new Map<string, number>(),
      evolve: (counts, event: Event) => counts.set(event._tag, (counts.get(event._tag) ?? 0) + 1)
    })
    const events = [incremented, incremented, reset]

    it("initial gives a value as it is, and calls a thunk on every call", () => {
      assert.strictEqual(Projection.initial(count), 0)
      const first = Projection.initial(perTag)
      assert.instanceOf(first, Map)
      assert.strictEqual(first.size, 0)
      assert.notStrictEqual(Projection.initial(perTag), first)
    })

    it("every fold starts from a fresh state: two folds give the same counts, not doubled ones", () => {
      const once = Projection.fold(perTag, events)
      const twice = Projection.fold(perTag, events)
      assert.deepStrictEqual([...once], [["Incremented", 2], ["WasReset", 1]])
      assert.deepStrictEqual([...twice], [["Incremented", 2], ["WasReset", 1]])
      assert.notStrictEqual(once, twice)
    })

    it("combine, mapEvent and recorded keep it fresh for each fold", () => {
      const both = Projection.combine(count, perTag)
      Projection.fold(both, events)
      assert.deepStrictEqual(Projection.fold(both, events).map((state) => state instanceof Map ? [...state] : state), [
        3,
        [["Incremented", 2], ["WasReset", 1]]
      ])
      const resets = Projection.mapEvent(perTag, (event: Event) => event._tag === "WasReset" ? event : undefined)
      Projection.fold(resets, events)
      assert.deepStrictEqual([...Projection.fold(resets, events)], [["WasReset", 1]])
      const envelope = (version: number, data: Event): Envelope.Recorded<Event> => ({
        streamId: "s",
        version,
        position: version,
        type: data._tag,
        data,
        metadata: { eventId: `s-${version}`, recordedAt: 0 }
      })
      const lifted = Projection.recorded(perTag)
      Projection.fold(lifted, [envelope(1, incremented)])
      assert.deepStrictEqual([...Projection.fold(lifted, [envelope(1, incremented)])], [["Incremented", 1]])
    })

    it("fold from a given state still continues that state", () => {
      const start = new Map([["Incremented", 5]])
      assert.deepStrictEqual([...Projection.fold(perTag, [incremented], start)], [["Incremented", 6]])
    })
  })
})
