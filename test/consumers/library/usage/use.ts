/**
 * A second consumer of the library: it sees only the library's emitted `.d.ts` (through the
 * package's self-reference) and uses every export with its inferred type.
 */
import { Decider, Projection } from "@chronicle/core"
import { MemoryEventStore } from "@chronicle/store-memory"
import { Effect } from "effect"
import { counters, decider, total } from "chronicle-consumer-library"

const state: number = Decider.fold(decider, [{ _tag: "Incremented", counterId: "c", by: 2 }])
const sum: number = Projection.fold(total, [{ _tag: "Incremented", counterId: "c", by: 3 }])

const program = Effect.gen(function*() {
  const result = yield* counters.handle({ _tag: "Increment", counterId: "c", by: 4 })
  const version: number = result.version
  const rejected = yield* Effect.flip(counters.handle({ _tag: "Reset", counterId: "other" }))
  const rejection: "AlreadyZero" | undefined = rejected._tag === "CommandRejected" ? rejected.rejection : undefined
  return [state, sum, result.state, version, rejection] as const
})

// @ts-expect-error the decider's command type survived declaration emit: this is not a command
decider.decide({ _tag: "Decrement", counterId: "c" }, 0)

console.log(JSON.stringify(await Effect.runPromise(program.pipe(Effect.provide(MemoryEventStore.layer))))) // prints: [2,3,4,1,"AlreadyZero"]
