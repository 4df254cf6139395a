import { ExpectedVersion } from "@chronicle/core"
import { User } from "@chronicle/examples"
import { Codec, CommandHandler, EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { DeciderSpec } from "@chronicle/testing"
import { Effect, Result } from "effect"
import fc from "fast-check"
import { type Domain, forEachDomain, type Tagged } from "../examples/Arbitraries.ts"
import * as Counter from "./Counter.ts"
import { thrown } from "./thrown.ts"

const spec = DeciderSpec.make(Counter.decider)

const increment = (amount: number): Counter.Command => ({ _tag: "Increment", counterId: "a", amount })
const decrement = (amount: number): Counter.Command => ({ _tag: "Decrement", counterId: "a", amount })
const incremented = (amount: number): Counter.Event => ({ _tag: "Incremented", counterId: "a", amount })
const decremented = (amount: number): Counter.Event => ({ _tag: "Decremented", counterId: "a", amount })

/**
 * For generated histories and commands on a domain: the store holds the history of the command's
 * stream, and whatever the `CommandHandler` answers there, the spec's matching assertion passes
 * (with the handler's events and state) and the two others fail.
 */
const agreesWithTheHandler = <Command, State, Event extends Tagged, Rejection>(
  name: string,
  domain: Domain<Command, State, Event, Rejection>
) =>
  it(`${name}: accepted, rejected or terminated alike`, async () => {
    const handler = CommandHandler.make(domain)
    const encode = Codec.encoder(domain.eventSchema)
    const spec = DeciderSpec.make(domain.decider)
    const seen = { Accepted: 0, Rejected: 0, Terminated: 0 }
    const handle = (history: ReadonlyArray<Event>, command: Command) =>
      Effect.gen(function*() {
        const streamId = domain.streamId(command)
        if (history.length > 0) {
          const store = yield* EventStore.EventStore
          yield* store.append(streamId, yield* Effect.fromResult(encode(streamId, history)), ExpectedVersion.noStream)
        }
        return yield* Effect.result(handler.handle(command))
      }).pipe(Effect.provide(MemoryEventStore.layer))
    await fc.assert(
      fc.asyncProperty(domain.history, domain.command, async (events, command) => {
        const history = events.filter((event) => domain.streamId(event) === domain.streamId(command))
        const handled = await Effect.runPromise(handle(history, command))
        const outcome = Result.isSuccess(handled)
          ? "Accepted"
          : handled.failure._tag === "CommandRejected"
          ? "Rejected"
          : handled.failure._tag === "StreamTerminated"
          ? "Terminated"
          : assert.fail(`the handler failed: ${handled.failure.message}`)
        seen[outcome]++
        const when = spec.given(history).when(command)
        const decided = Result.isSuccess(handled) ? handled.success.events.map(({ data }) => data) : []
        const rejection = Result.isFailure(handled) && handled.failure._tag === "CommandRejected"
          ? handled.failure.rejection
          : () => true
        const assertions = {
          Accepted: () => when.then(decided),
          Rejected: () => when.thenRejects(rejection),
          Terminated: () => when.thenTerminated()
        }
        const state = assertions[outcome]()
        if (Result.isSuccess(handled)) assert.deepStrictEqual(state, handled.success.state)
        for (const [other, assertion] of Object.entries(assertions)) if (other !== outcome) thrown(assertion)
      }),
      { numRuns: 100 }
    )
    assert.isAbove(seen.Accepted, 0, "no generated command was accepted")
    assert.isAbove(seen.Rejected, 0, "no generated command was rejected")
    if (name !== "BankAccount") assert.isAbove(seen.Terminated, 0, "no generated history ended its stream")
  })

describe("DeciderSpec", () => {
  describe("then", () => {
    it("passes on the decided events and returns the state after them", () => {
      assert.strictEqual(spec.given([incremented(3)]).when(decrement(2)).then([decremented(2)]), 1)
    })

    it("passes on no event", () => {
      spec.given([]).when({ _tag: "Reset", counterId: "a" }).then([])
    })

    it("fails with both event lists when other events are decided", () => {
      const error = thrown(() => spec.given([]).when(increment(2)).then([incremented(3)]))
        assert.include(error.message, "decided events differ")
      assert.include(error.message, `expected: [{"_tag":"Incremented","counterId":"a","amount":3}]`)
      assert.include(error.message, `actual:   [{"_tag":"Incremented","counterId":"a","amount":2}]`)
    })

    it("fails with the rejection when the command is rejected", () => {
      const error = thrown(() => spec.given([]).when(decrement(1)).then([decremented(1)]))
      assert.include(error.message, "expected the command to be accepted, but it was rejected")
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":1}`)
    })
  })

  describe("thenRejects", () => {
    it("passes on an equal rejection and returns it", () => {
      const rejection = spec.given([incremented(1)]).when(decrement(2)).thenRejects({
        _tag: "WouldGoNegative",
        count: 1,
        amount: 2
      })
      assert.strictEqual(rejection.count, 1)
    })

    it("passes on a rejection the predicate accepts", () => {
      spec.given([]).when(decrement(2)).thenRejects((rejection) => rejection._tag === "WouldGoNegative")
    })

    it("fails with both rejections when they differ", () => {
      const error = thrown(() =>
        spec.given([]).when(decrement(2)).thenRejects({ _tag: "WouldGoNegative", count: 0, amount: 3 })
      )
      assert.include(error.message, "rejections differ")
      assert.include(error.message, `expected: {"_tag":"WouldGoNegative","count":0,"amount":3}`)
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":2}`)
    })

    it("fails when the predicate refuses the rejection", () => {
      const error = thrown(() => spec.given([]).when(decrement(2)).thenRejects((rejection) => rejection.amount > 5))
      assert.include(error.message, "the rejection does not satisfy the predicate")
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":2}`)
    })

    it("fails with the events when the command is accepted", () => {
      const error = thrown(() =>
        spec.given([]).when(increment(1)).thenRejects({ _tag: "WouldGoNegative", count: 0, amount: 1 })
      )
      assert.include(error.message, "expected the command to be rejected, but it was accepted")
      assert.include(error.message, `actual:   [{"_tag":"Incremented","counterId":"a","amount":1}]`)
    })
  })
  describe("terminal streams", () => {
    const users = DeciderSpec.make(User.decider)
    const registered: User.Event = {
      _tag: "UserRegistered",
      userId: "u1",
      givenName: "Ada",
      familyName: "Lovelace",
      email: "ada@example.com"
    }
    const deactivated: User.Event = { _tag: "UserDeactivated", userId: "u1" }
    const changeEmail: User.Command = { _tag: "ChangeEmail", userId: "u1", email: "ada@example.org" }

    it("thenTerminated passes when isTerminal holds after the history, and returns the terminal state", () => {
      assert.deepStrictEqual(users.given([registered, deactivated]).when(changeEmail).thenTerminated(), {
        _tag: "Deactivated"
      })
    })

    it("then and thenRejects fail on a terminated stream, saying so (not the decider's own rejection)", () => {
      const when = users.given([registered, deactivated]).when(changeEmail)
      for (const error of [thrown(() => when.then([])), thrown(() => when.thenRejects({ _tag: "Deactivated", userId: "u1" }))]) {
        assert.include(error.message, "but the stream is terminated: isTerminal holds for the state after the given events")
        assert.include(error.message, "every command is refused with StreamTerminated")
        assert.include(error.message, `actual:   {"_tag":"Deactivated"}`)
      }
    })

    it("thenTerminated fails on an accepted or a rejected command, with what there was", () => {
      const accepted = thrown(() => users.given([registered]).when(changeEmail).thenTerminated())
      assert.include(accepted.message, "expected the stream to be terminated (isTerminal to hold after the given events), but it was accepted")
      assert.include(accepted.message, `actual:   [{"_tag":"EmailChanged","userId":"u1","email":"ada@example.org"}]`)
      const rejected = thrown(() => users.given([]).when(changeEmail).thenTerminated())
      assert.include(rejected.message, "but it was rejected")
      assert.include(rejected.message, `actual:   {"_tag":"NotRegistered","userId":"u1"}`)
    })
  })

  describe("agrees with the CommandHandler on the in-memory store", () => {
    forEachDomain(agreesWithTheHandler)
  })
})
