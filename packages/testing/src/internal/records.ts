/**
 * The records a store would hold, built the way every store layer builds them, for the laws that
 * check the way from events to records and back without a store.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect, Result } from "effect"

/**
 * The records of events about to be appended to one new stream (versions and positions from 1):
 * checked as every store checks an append (`EventStore.validate`: the payloads must be JSON) and
 * stamped as every store stamps it (`EventStore.stamp`: event ids, time, schema versions above 1).
 *
 * @internal
 */
export const record = (
  streamId: string,
  events: ReadonlyArray<EventStore.Pending>
): Result.Result<ReadonlyArray<Envelope.Recorded>, EventStore.StoreError> =>
  Effect.runSync(Effect.result(Effect.gen(function*() {
    yield* EventStore.validate(streamId, events)
    const metadata = yield* EventStore.stamp(events)
    return events.map(({ data, type }, i): Envelope.Recorded => ({
      streamId,
      version: i + 1,
      position: i + 1,
      type,
      data,
      metadata: metadata[i]!
    }))
  })))
