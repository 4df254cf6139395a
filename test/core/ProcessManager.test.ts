import { ProcessManager, Saga } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { pipe } from "effect"
import fc from "fast-check"

/**
 * Generated processes over integer events: the state is a number, `evolve` adds an arbitrary (but
 * fixed) step to it, `decide` gives arbitrary commands, and a state at or above `limit` is terminal.
 */
const processes = fc
  .record({
    decide: fc.func(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 })),
    delta: fc.func(fc.integer({ min: -3, max: 5 })),
    limit: fc.integer({ min: 0, max: 30 })
  })
  .map(({ decide, delta, limit }) =>
    ProcessManager.make({
      initialState: 0,
      decide: (event: number, state: number) => decide(event, state),
      evolve: (state, event) => state + delta(state, event),
      isTerminal: (state) => state >= limit
    })
  )
const events = fc.array(fc.integer({ min: -10, max: 10 }), { maxLength: 20 })

describe("ProcessManager", () => {
  it("make defaults isTerminal to never", () => {
    const process = ProcessManager.make({ initialState: 0, decide: () => [], evolve: (n: number, _: unknown) => n + 1 })
    assert.isFalse(process.isTerminal(1_000))
  })

  it("decide sees the state before the event; evolve folds it afterwards", () => {
    const seen = ProcessManager.make({
      initialState: [] as ReadonlyArray<string>,
      decide: (event: string, before) => [`${event} after ${before.join(",") || "nothing"}`],
      evolve: (before, event) => [...before, event]
    })
    assert.deepStrictEqual(ProcessManager.run(seen, ["a", "b", "c"]), {
      commands: ["a after nothing", "b after a", "c after a,b"],
      state: ["a", "b", "c"]
    })
  })

  it("a terminal process decides nothing more and keeps its state", () => {
    const countdown = ProcessManager.make({
      initialState: 2,
      decide: (event: string, left: number) => [`${event}@${left}`],
      evolve: (left, _event) => left - 1,
      isTerminal: (left) => left === 0
    })
    assert.deepStrictEqual(ProcessManager.run(countdown, ["a", "b", "c", "d"]), { commands: ["a@2", "b@1"], state: 0 })
    assert.deepStrictEqual(ProcessManager.step(countdown, "e", 0), { commands: [], state: 0 })
  })

  it("run is a fold: running a concatenation runs the second part from the first part's state", () => {
    fc.assert(fc.property(processes, events, events, (process, first, second) => {
      const head = ProcessManager.run(process, first)
      const tail = ProcessManager.run(process, second, head.state)
      assert.deepStrictEqual(ProcessManager.run(process, [...first, ...second]), {
        commands: [...head.commands, ...tail.commands],
        state: tail.state
      })
    }))
  })

  it("run is the steps one after the other", () => {
    fc.assert(fc.property(processes, events, (process, inputs) => {
      let state = process.initialState
      const commands: Array<string> = []
      for (const event of inputs) {
        const next = ProcessManager.step(process, event, state)
        commands.push(...next.commands)
        state = next.state
      }
      assert.deepStrictEqual(ProcessManager.run(process, inputs), { commands, state })
    }))
  })

  it("fromSaga decides what the saga reacts, and keeps no state", () => {
    const sagas = fc.func(fc.array(fc.string(), { maxLength: 3 })).map((react) => Saga.make({ react: (event: number) => react(event) }))
    fc.assert(fc.property(sagas, events, (saga, inputs) => {
      const process = ProcessManager.fromSaga(saga)
      assert.deepStrictEqual(ProcessManager.run(process, inputs), { commands: inputs.flatMap((e) => saga.react(e)), state: undefined })
      assert.isFalse(process.isTerminal(process.initialState))
    }))
  })

  it("combine steps both sides on each event: left commands first, states side by side", () => {
    fc.assert(fc.property(processes, processes, events, (left, right, inputs) => {
      const both = ProcessManager.combine(left, right)
      let states = [left.initialState, right.initialState] as const
      const commands: Array<string> = []
      for (const event of inputs) {
        const l = ProcessManager.step(left, event, states[0])
        const r = ProcessManager.step(right, event, states[1])
        commands.push(...l.commands, ...r.commands)
        states = [l.state, r.state]
      }
      assert.deepStrictEqual(ProcessManager.run(both, inputs), { commands, state: states })
      assert.deepStrictEqual(ProcessManager.run(both, inputs).state, [
        ProcessManager.run(left, inputs).state,
        ProcessManager.run(right, inputs).state
      ])
    }))
  })

  it("combine is over when both sides are, and a side that is over stays over", () => {
    const once = (name: string) =>
      ProcessManager.make({
        initialState: false,
        decide: (event: string, _done: boolean) => event === name ? [name] : [],
        evolve: (done, event) => done || event === name,
        isTerminal: (done) => done
      })
    const both = ProcessManager.combine(once("a"), once("b"))
    const afterA = ProcessManager.run(both, ["a", "a"])
    assert.deepStrictEqual(afterA, { commands: ["a"], state: [true, false] })
    assert.isFalse(both.isTerminal(afterA.state))
    const afterB = ProcessManager.run(both, ["b", "a"], afterA.state)
    assert.deepStrictEqual(afterB, { commands: ["b"], state: [true, true] })
    assert.isTrue(both.isTerminal(afterB.state))
  })

  it("mapCommand keeps identity and composes", () => {
    const fs = fc.func(fc.string({ maxLength: 4 }))
    fc.assert(fc.property(processes, fs, fs, events, (process, f, g, inputs) => {
      assert.deepStrictEqual(ProcessManager.run(ProcessManager.mapCommand(process, (c) => c), inputs), ProcessManager.run(process, inputs))
      assert.deepStrictEqual(
        ProcessManager.run(ProcessManager.mapCommand(ProcessManager.mapCommand(process, f), g), inputs),
        ProcessManager.run(ProcessManager.mapCommand(process, (c) => g(f(c))), inputs)
      )
      const plain = ProcessManager.run(process, inputs)
      assert.deepStrictEqual(ProcessManager.run(ProcessManager.mapCommand(process, f), inputs), {
        commands: plain.commands.map((c) => f(c)),
        state: plain.state
      })
    }))
  })

  it("mapEvent keeps identity and composes; an event mapped to undefined is ignored", () => {
    const fs = fc.func(fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }))
    fc.assert(fc.property(processes, fs, fs, events, (process, f, g, inputs) => {
      assert.deepStrictEqual(ProcessManager.run(ProcessManager.mapEvent(process, (e: number) => e), inputs), ProcessManager.run(process, inputs))
      assert.deepStrictEqual(
        ProcessManager.run(ProcessManager.mapEvent(ProcessManager.mapEvent(process, f), g), inputs),
        ProcessManager.run(ProcessManager.mapEvent(process, (e: number) => {
          const outer = g(e)
          return outer === undefined ? undefined : f(outer)
        }), inputs)
      )
      // Mapping then running is running the mapped events, the ignored ones dropped.
      assert.deepStrictEqual(
        ProcessManager.run(ProcessManager.mapEvent(process, f), inputs),
        ProcessManager.run(process, inputs.flatMap((e) => {
          const inner = f(e)
          return inner === undefined ? [] : [inner]
        }))
      )
    }))
  })

  it("the combinators are dual: piped, they build the same process", () => {
    fc.assert(fc.property(processes, processes, events, (left, right, inputs) => {
      const f = (event: number) => event % 3 === 0 ? undefined : event - 1
      const g = (command: string) => `${command}!`
      const piped = pipe(left, ProcessManager.combine(right), ProcessManager.mapEvent(f), ProcessManager.mapCommand(g))
      const direct = ProcessManager.mapCommand(ProcessManager.mapEvent(ProcessManager.combine(left, right), f), g)
      assert.deepStrictEqual(ProcessManager.run(piped, inputs), ProcessManager.run(direct, inputs))
    }))
  })
})
