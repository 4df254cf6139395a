/**
 * One process of the multi-process test (`MultiProcess.test.ts`): an instance of a bank service on
 * a shared PostgreSQL schema. It opens the accounts (another process may have opened them first),
 * then handles deposits and withdrawals on them, four at a time, reloading and deciding again on
 * conflicts; meanwhile a persistent projector keeps the `balances` read model from the shared log.
 *
 *   node test/postgres/server/worker.ts <database url> <schema> <name> <commands> <seed>
 *
 * Once connected it prints `ready` and waits for a line on stdin, so that the test starts all
 * workers at once. Then it prints one JSON line: the events it appended, how many commands were
 * refused, and its read model once it has applied its own last event. Exits with 1 if anything
 * else fails.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, Projector } from "@chronicle/runtime"
import { Postgres } from "@chronicle/store-postgres"
import { Effect, Result, Schedule, Schema } from "effect"

const [url = "", schema = "", name = "", count = "0", seed = "1"] = process.argv.slice(2)

const accountIds = ["a", "b", "c"]

const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf,
  retry: Schedule.recurs(1_000)
})

/** The commands of this worker: a small linear congruential generator, so a seed replays a run. */
const commands = (n: number, seed: number): ReadonlyArray<BankAccount.Command> => {
  let x = seed
  const next = (bound: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
    return x % bound
  }
  return Array.from({ length: n }, (): BankAccount.Command => {
    const accountId = accountIds[next(accountIds.length)]!
    return next(3) === 0
      ? { _tag: "Withdraw", accountId, amount: 1 + next(60) }
      : { _tag: "Deposit", accountId, amount: 1 + next(40) }
  })
}

const program = Effect.gen(function*() {
  const projector = yield* Projector.makePersistent({
    name: `balances-${name}`,
    stateSchema: Schema.ReadonlyMap(Schema.String, Schema.Int),
    projection: BankAccount.balances,
    eventSchema: BankAccount.Event
  })
  console.log("ready")
  yield* Effect.callback<void>((resume) =>
    void process.stdin.once("data", () => {
      process.stdin.destroy()
      resume(Effect.void)
    })
  )
  const opens = accountIds.map((accountId): BankAccount.Command => ({ _tag: "Open", accountId, owner: name }))
  const outcomes = yield* Effect.forEach(
    [...opens, ...commands(Number(count), Number(seed))],
    (command) => Effect.result(accounts.handle(command)),
    { concurrency: 4 }
  )
  const appended = outcomes.filter(Result.isSuccess).flatMap((outcome) =>
    outcome.success.events.map(({ metadata, position, streamId, version }) => ({ eventId: metadata.eventId, streamId, version, position }))
  )
  const failures = outcomes.filter(Result.isFailure).map((outcome) => outcome.failure)
  const unexpected = failures.find((failure) => failure._tag !== "CommandRejected")
  if (unexpected !== undefined) return yield* Effect.fail(unexpected)
  const readModel = yield* projector.awaitPosition(Math.max(0, ...appended.map((event) => event.position)))
  return { name, appended, rejected: failures.length, readModel: { position: readModel.position, state: [...readModel.state] } }
}).pipe(Effect.scoped, Effect.provide(Postgres.layer({ url, schema })))

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
