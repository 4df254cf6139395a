/**
 * Write-combining: the requests that callers of one process make at the same time are gathered
 * and sent together, so that many writes share one round trip and one commit. Each of `senders`
 * fibers takes what is waiting (at least one request, at most `maxBatch`), sends it with `send`,
 * hands each caller its own result, and takes the next batch — which has gathered meanwhile. One
 * caller alone is sent at once, so combining adds no wait; under load batches grow by themselves.
 *
 * A caller interrupted while its request waits is left out of the next batch; once sent, a request
 * runs to its end (a sending fiber is not interrupted in the middle of a batch, and the caller's
 * result is dropped).
 *
 * @internal
 */
import { Deferred, Effect, Exit, Queue, Result } from "effect"
import type { Scope } from "effect"

/** Sends its requests one batch at a time. */
export interface Combiner<Request, Response, Failure> {
  /** Queues `request` for the next batch and waits for its own result. */
  readonly submit: (request: Request) => Effect.Effect<Response, Failure>
}

interface Waiting<Request, Response, Failure> {
  readonly request: Request
  readonly deferred: Deferred.Deferred<Response, Failure>
}

/**
 * Starts the sending fibers for the current scope. `send` gets a batch of requests and returns one
 * result per request, in order, or fails for all of them; a batch left when the scope closes is
 * interrupted.
 */
export const make = <Request, Response, Failure>(options: {
  readonly maxBatch: number
  readonly senders: number
  readonly send: (
    requests: ReadonlyArray<Request>
  ) => Effect.Effect<ReadonlyArray<Result.Result<Response, Failure>>, Failure>
}): Effect.Effect<Combiner<Request, Response, Failure>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Waiting<Request, Response, Failure>>()
    const sendBatch = (taken: ReadonlyArray<Waiting<Request, Response, Failure>>) => {
      const batch = taken.filter(({ deferred }) => !Deferred.isDoneUnsafe(deferred))
      if (batch.length === 0) return Effect.void
      return Effect.exit(options.send(batch.map(({ request }) => request))).pipe(
        Effect.map((exit) => {
          batch.forEach(({ deferred }, i) =>
            Deferred.doneUnsafe(deferred, Exit.isSuccess(exit) ? Effect.fromResult(exit.value[i]!) : Effect.failCause(exit.cause))
          )
        })
      )
    }
    const sender = Queue.takeBetween(queue, 1, options.maxBatch).pipe(
      Effect.flatMap((taken) => Effect.uninterruptible(sendBatch(taken))),
      Effect.forever
    )
    yield* Effect.forEach(Array.from({ length: options.senders }), () => Effect.forkScoped(sender), { discard: true })
    yield* Effect.addFinalizer(() =>
      Queue.clear(queue).pipe(
        Effect.flatMap((left) => Effect.forEach(left, ({ deferred }) => Deferred.interrupt(deferred), { discard: true })),
        Effect.andThen(Queue.shutdown(queue))
      )
    )
    return {
      submit: (request) =>
        Effect.flatMap(Deferred.make<Response, Failure>(), (deferred) =>
          Queue.offer(queue, { request, deferred }).pipe(
            Effect.andThen(Deferred.await(deferred)),
            Effect.onInterrupt(() => Deferred.interrupt(deferred))
          ))
    }
  })
