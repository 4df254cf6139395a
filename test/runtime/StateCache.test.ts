import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, Inspector, StateCache } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Ref, Schedule, Stream } from "effect"
import * as fc from "fast-check"
import { bankAccount, contended } from "./fixtures.ts"

const open = (accountId: string) => ({ _tag: "Open", accountId, owner: "Ada" }) as const
const deposit = (accountId: string, amount: number) => ({ _tag: "Deposit", accountId, amount }) as const
const withdraw = (accountId: string, amount: number) => ({ _tag: "Withdraw", accountId, amount }) as const

/** A handler that never retries after a conflict: a cached history that is behind must not need a retry. */
const accounts = CommandHandler.make({ ...bankAccount, retry: Schedule.recurs(0) })

const readAll = EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))

/** A raw append of a deposit, as another writer (another process, a migration) would make it. */
const foreignDeposit = (accountId: string, amount: number) =>
  EventStore.EventStore.use((store) =>
    store.append(
      BankAccount.streamId(accountId),
      [{ type: "Deposited", data: { _tag: "Deposited", accountId, amount } }],
      ExpectedVersion.any
    )
  )

/** The store, counting the reads of a stream it serves. */
const counted = (reads: Ref.Ref<number>) =>
  Layer.effect(
    EventStore.EventStore,
    EventStore.EventStore.use((store) =>
      Effect.succeed<EventStore.Service>({
        ...store,
        read: (streamId, range) => Stream.unwrap(Effect.as(Ref.update(reads, (n) => n + 1), store.read(streamId, range)))
      })
    )
  ).pipe(Layer.provide(MemoryEventStore.layer))

const cached = (capacity?: number) => Layer.merge(MemoryEventStore.layer, StateCache.layer({ capacity }))

describe("StateCache", () => {
  it.effect("a stream in the cache is not read again: a command appends at the cached version", () =>
    Effect.gen(function*() {
      const reads = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        yield* accounts.handle(open("a1"))
        assert.strictEqual(yield* Ref.get(reads), 1) // the first command loads the stream
        yield* accounts.handle(deposit("a1", 10))
        const handled = yield* accounts.handle(deposit("a1", 5))
        assert.strictEqual(yield* Ref.get(reads), 1)
        assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 15 }, 3])
      }).pipe(Effect.provide(Layer.merge(counted(reads), StateCache.layer())))
    }))

  it.effect("without the cache every command reads its stream", () =>
    Effect.gen(function*() {
      const reads = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        yield* accounts.handle(open("a1"))
        yield* accounts.handle(deposit("a1", 10))
        assert.strictEqual(yield* Ref.get(reads), 2)
      }).pipe(Effect.provide(counted(reads)))
    }))

  it.effect("two handlers writing the same stream each see the other's events", () =>
    Effect.gen(function*() {
      const other = CommandHandler.make({ ...bankAccount, retry: Schedule.recurs(0) })
      yield* accounts.handle(open("a1"))
      yield* other.handle(deposit("a1", 10))
      const first = yield* accounts.handle(deposit("a1", 5))
      assert.deepStrictEqual([first.state, first.version], [{ _tag: "Opened", balance: 15 }, 3])
      const second = yield* other.handle(withdraw("a1", 15))
      assert.deepStrictEqual([second.state, second.version], [{ _tag: "Opened", balance: 0 }, 4])
      assert.deepStrictEqual(yield* accounts.load("account-a1"), { state: second.state, version: 4 })
    }).pipe(Effect.provide(cached())))

  it.effect("a direct append behind the cache's back: the append conflicts, the tail is folded in, no retry is spent", () =>
    Effect.gen(function*() {
      const { inspector, subscribe } = yield* Inspector.makeStreaming
      const steps = yield* subscribe
      yield* accounts.handle(open("a1"))
      yield* foreignDeposit("a1", 100)
      const handled = yield* accounts.handle(deposit("a1", 5)).pipe(Effect.provideService(Inspector.Inspector, inspector))
      assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 105 }, 3])
      const tags = yield* steps.pipe(Stream.take(5), Stream.runCollect)
      assert.deepStrictEqual(tags.map((step) => step._tag), ["CommandReceived", "Decided", "Conflicted", "Decided", "Appended"])
    }).pipe(Effect.scoped, Effect.provide(cached())))

  it.effect("a rejection on a cached state is confirmed against the store: another writer's deposit makes it go through", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open("a1"))
      yield* foreignDeposit("a1", 100)
      // The cache still says balance 0, where withdrawing 50 is refused.
      const handled = yield* accounts.handle(withdraw("a1", 50))
      assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 50 }, 3])
    }).pipe(Effect.provide(cached())))

  it.effect("an acceptance on a cached state that the store's state refuses is a rejection, with nothing appended", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open("a1"))
      yield* accounts.handle(deposit("a1", 100))
      yield* EventStore.EventStore.use((store) =>
        store.append("account-a1", [{ type: "Withdrawn", data: { _tag: "Withdrawn", accountId: "a1", amount: 80 } }], ExpectedVersion.exact(2))
      )
      const error = yield* Effect.flip(accounts.handle(withdraw("a1", 50)))
      assert.strictEqual(error._tag, "CommandRejected")
      assert.deepStrictEqual(error._tag === "CommandRejected" ? error.rejection : undefined, {
        _tag: "InsufficientFunds",
        accountId: "a1",
        balance: 20,
        amount: 50
      })
      assert.strictEqual((yield* readAll).length, 3)
    }).pipe(Effect.provide(cached())))

  it.effect("the same handler over another store finds nothing of the first store's streams in the cache", () =>
    Effect.gen(function*() {
      const cache = yield* StateCache.make()
      const withCache = Effect.provideService(StateCache.StateCache, cache)
      const opened = Effect.gen(function*() {
        yield* accounts.handle(open("a1"))
        yield* accounts.handle(deposit("a1", 100))
      })
      yield* opened.pipe(withCache, Effect.provide(MemoryEventStore.layer))
      // A store whose stream is past the cached version, with other events: nothing cached may be folded into it.
      const handled = yield* Effect.gen(function*() {
        yield* EventStore.EventStore.use((store) =>
          store.append("account-a1", [
            { type: "AccountOpened", data: { _tag: "AccountOpened", accountId: "a1", owner: "Bo" } },
            { type: "Deposited", data: { _tag: "Deposited", accountId: "a1", amount: 1 } },
            { type: "Deposited", data: { _tag: "Deposited", accountId: "a1", amount: 1 } }
          ], ExpectedVersion.noStream)
        )
        return yield* accounts.handle(deposit("a1", 5))
      }).pipe(withCache, Effect.provide(MemoryEventStore.layer))
      assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 7 }, 4])
      // A store where the stream does not exist.
      yield* opened.pipe(withCache, Effect.provide(MemoryEventStore.layer))
      const error = yield* Effect.flip(accounts.handle(deposit("a1", 5))).pipe(withCache, Effect.provide(MemoryEventStore.layer))
      assert.strictEqual(error._tag, "CommandRejected")
      assert.deepStrictEqual(error._tag === "CommandRejected" ? error.rejection : undefined, { _tag: "NotOpened", accountId: "a1" })
    }))

  it.effect("past its capacity the least recently used stream is dropped and read again on its next command", () =>
    Effect.gen(function*() {
      const reads = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        yield* accounts.handle(open("a1"))
        yield* accounts.handle(open("a2"))
        yield* accounts.handle(deposit("a1", 1)) // a1 is the most recently used: a2 goes next
        assert.strictEqual(yield* Ref.get(reads), 2)
        yield* accounts.handle(open("a3")) // drops a2
        yield* accounts.handle(deposit("a1", 1))
        assert.strictEqual(yield* Ref.get(reads), 3)
        const handled = yield* accounts.handle(deposit("a2", 1))
        assert.strictEqual(yield* Ref.get(reads), 4)
        assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 1 }, 2])
      }).pipe(Effect.provide(Layer.merge(counted(reads), StateCache.layer({ capacity: 2 }))))
    }))

  it.effect("an idempotent repeat after a cache hit returns the first outcome and appends nothing", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open("a1"))
      const first = yield* accounts.handle(deposit("a1", 10), { commandId: "cmd-1" })
      yield* accounts.handle(deposit("a1", 1))
      const again = yield* accounts.handle(deposit("a1", 10), { commandId: "cmd-1" })
      assert.deepStrictEqual([again.state, again.version], [first.state, first.version])
      assert.deepStrictEqual(again.events.map((event) => event.version), [2])
      assert.strictEqual((yield* readAll).length, 3)
    }).pipe(Effect.provide(cached())))

  it.effect("a command id another handler recorded after the cached version is found: nothing is appended", () =>
    Effect.gen(function*() {
      const other = CommandHandler.make(bankAccount)
      yield* accounts.handle(open("a1"))
      yield* other.handle(deposit("a1", 10), { commandId: "cmd-1" })
      const again = yield* accounts.handle(deposit("a1", 10), { commandId: "cmd-1" })
      assert.strictEqual(again.version, 2)
      assert.strictEqual((yield* readAll).length, 2)
    }).pipe(Effect.provide(cached())))

  it.effect("a stream archived behind the cache's back refuses the command with StreamClosed", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open("a1"))
      yield* EventStore.archive("account-a1")
      const error = yield* Effect.flip(accounts.handle(deposit("a1", 1)))
      assert.strictEqual(error._tag, "StreamClosed")
      assert.strictEqual(error._tag === "StreamClosed" ? error.closure : undefined, "Archived")
    }).pipe(Effect.provide(cached())))

  it.effect("50 concurrent deposits through the cache: exact sum, versions 1..n, the conflicts retried", () =>
    Effect.gen(function*() {
      const conflicts = yield* Ref.make(0)
      const contending = CommandHandler.make({ ...bankAccount, retry: Schedule.recurs(200) })
      const handled = yield* Effect.gen(function*() {
        yield* contending.handle(open("a1"))
        yield* Effect.forEach(Array.from({ length: 50 }, (_, i) => i + 1), (n) => contending.handle(deposit("a1", n)), {
          concurrency: "unbounded"
        })
        return yield* contending.handle(deposit("a1", 1))
      }).pipe(Effect.provide(Layer.merge(contended(conflicts).pipe(Layer.provide(MemoryEventStore.layer)), StateCache.layer())))
      assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 1276 }, 52])
      assert.isAbove(yield* Ref.get(conflicts), 0)
    }))

  it.effect("a capacity that is not a whole number of 1 or more is a typed InvalidOptions", () =>
    Effect.gen(function*() {
      for (const capacity of [0, -1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(StateCache.make({ capacity }))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.option, "capacity")
        assert.include(error.message, String(capacity))
      }
    }))

  it("a cached handler gives the same outcomes and the same log as an uncached one, whatever other writers do", async () => {
    type Step =
      | { readonly _tag: "Command"; readonly command: BankAccount.Command; readonly commandId: string | undefined }
      | { readonly _tag: "Foreign"; readonly accountId: string; readonly amount: number }
    const accountId = fc.constantFrom("a", "b")
    const amount = fc.integer({ min: 1, max: 60 })
    const command: fc.Arbitrary<BankAccount.Command> = fc.oneof(
      accountId.map(open),
      fc.tuple(accountId, amount).map(([id, n]) => deposit(id, n)),
      fc.tuple(accountId, amount).map(([id, n]) => withdraw(id, n))
    )
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Command"), command, commandId: fc.option(fc.constantFrom("x", "y", "z"), { nil: undefined }) }) },
      { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Foreign"), accountId, amount }) }
    )
    const run = (steps: ReadonlyArray<Step>) =>
      Effect.gen(function*() {
        const outcomes: Array<unknown> = []
        for (const step of steps) {
          if (step._tag === "Foreign") {
            yield* foreignDeposit(step.accountId, step.amount)
            continue
          }
          const trace = step.commandId === undefined ? undefined : { commandId: step.commandId }
          const exit = yield* Effect.exit(accounts.handle(step.command, trace))
          outcomes.push(
            Exit.isSuccess(exit)
              ? { state: exit.value.state, version: exit.value.version, versions: exit.value.events.map((event) => event.version) }
              : Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
              ? exit.cause.reasons[0].error
              : "defect"
          )
        }
        const log = (yield* readAll).map(({ data, metadata, streamId, version }) => ({ streamId, version, data, commandId: metadata.commandId }))
        return { outcomes, log }
      })
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const plain = await Effect.runPromise(run(steps).pipe(Effect.provide(MemoryEventStore.layer)))
        const withCache = await Effect.runPromise(run(steps).pipe(Effect.provide(cached(1))))
        const roomy = await Effect.runPromise(run(steps).pipe(Effect.provide(cached())))
        assert.deepStrictEqual(withCache, plain)
        assert.deepStrictEqual(roomy, plain)
      }),
      { numRuns: 150 }
    )
  })

})
