/**
 * An **Appender** appends a domain's typed events to the EventStore without a command handler: a
 * migration or import, a test fixture, an integration that records what happened elsewhere, a
 * benchmark filling a store. It encodes the events through the domain's `Codec.encoder` — the very
 * encoding a `CommandHandler` appends with (the JSON form of the event Schema, each event's `_tag`
 * as its type, the schema version its upcasters make current, reserved `$` types refused) — then
 * appends them at the expected version the caller gives, with the caller's correlation, causation and
 * command ids. The store checks, stamps and records them as it does every append.
 *
 * There is no decider here: nothing is decided, loaded or retried. A conflict is the caller's to
 * handle (`WrongExpectedVersion` names the stream, the expected and the actual version).
 *
 * @example
 * ```ts
 * const bank = Appender.make({ eventSchema: BankAccount.Event })
 * const { version } = yield* bank.append("account-a1", [opened, deposited], ExpectedVersion.noStream)
 * ```
 *
 * @since 0.1.0
 */
import type { Envelope, ExpectedVersion, Upcaster } from "@chronicle/core"
import { Effect, Result } from "effect"
import * as Codec from "./Codec.ts"
import {
  type AppendManyOptions,
  type AppendResult,
  type Batch as StoreBatch,
  EventStore,
  type StoreError,
  type StreamClosed,
  type WrongExpectedPosition,
  type WrongExpectedVersion
} from "./EventStore.ts"

/**
 * The domain whose events an appender writes: its event Schema and upcasters (which set the schema
 * version each event type is written in).
 *
 * @example
 * ```ts
 * const options: Appender.Options<User.Event> = { eventSchema: User.Event, upcasters: User.upcasters }
 * ```
 *
 * @since 0.1.0
 */
export interface Options<Event extends Codec.Tagged> {
  /** Encodes the events for the store. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** The domain's upcasters: each event is tagged with its type's current schema version. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
}

/**
 * Typed events for one stream of an {@link Appender.appendMany}, at the version the writer expects
 * that stream to be (see `EventStore.Batch`).
 *
 * @example
 * ```ts
 * const batch: Appender.Batch<BankAccount.Event> = { streamId: "account-a1", events: [opened], expected: ExpectedVersion.noStream }
 * ```
 *
 * @since 0.1.0
 */
export interface Batch<Event> {
  readonly streamId: string
  readonly events: ReadonlyArray<Event>
  readonly expected: ExpectedVersion.ExpectedVersion
}

/**
 * Why an append failed: an event does not encode, the stream is not at the expected version, it is
 * closed, or the store refused or failed. Nothing was written.
 *
 * @since 0.1.0
 */
export type AppendError = Codec.EventEncodeError | WrongExpectedVersion | StreamClosed | StoreError

/**
 * Appends one domain's typed events. Its effects need an `EventStore`.
 *
 * @since 0.1.0
 */
export interface Appender<Event> {
  /**
   * Encodes `events` and appends them to `streamId` if it is at `expected`, atomically; `trace`
   * goes into every event's metadata. An event that does not encode fails with `EventEncodeError`
   * before anything is written.
   */
  readonly append: (
    streamId: string,
    events: ReadonlyArray<Event>,
    expected: ExpectedVersion.ExpectedVersion,
    trace?: Envelope.Trace
  ) => Effect.Effect<AppendResult, AppendError, EventStore>
  /**
   * Encodes every batch and writes them all in one all-or-nothing `EventStore.appendMany`, each to its
   * stream at its own expected version; the results in batch order. An event that does not encode,
   * in any batch, fails the whole write before anything is written.
   */
  readonly appendMany: (
    batches: ReadonlyArray<Batch<Event>>,
    options?: AppendManyOptions & { readonly trace?: Envelope.Trace | undefined }
  ) => Effect.Effect<ReadonlyArray<AppendResult>, AppendError | WrongExpectedPosition, EventStore>
}

/**
 * Makes the appender of a domain's events.
 *
 * @example
 * ```ts
 * const bank = Appender.make({ eventSchema: BankAccount.Event })
 * yield* bank.append("account-a1", [{ _tag: "AccountOpened", accountId: "a1", owner: "Ada" }], ExpectedVersion.noStream, {
 *   correlationId: "import-7"
 * })
 * yield* bank.appendMany([
 *   { streamId: "account-a1", events: [deposited], expected: ExpectedVersion.exact(1) },
 *   { streamId: "account-b2", events: [opened], expected: ExpectedVersion.noStream }
 * ])
 * ```
 *
 * @since 0.1.0
 */
export const make = <Event extends Codec.Tagged>(options: Options<Event>): Appender<Event> => {
  const encode = Codec.encoder(options.eventSchema, options.upcasters)

  const append = (
    streamId: string,
    events: ReadonlyArray<Event>,
    expected: ExpectedVersion.ExpectedVersion,
    trace?: Envelope.Trace
  ) =>
    Effect.suspend((): Effect.Effect<AppendResult, AppendError, EventStore> => {
      const pending = encode(streamId, events, trace)
      return Result.isFailure(pending)
        ? Effect.fail(pending.failure)
        : EventStore.use((store) => store.append(streamId, pending.success, expected))
    })

  const appendMany = (
    batches: ReadonlyArray<Batch<Event>>,
    { trace, ...conditions }: AppendManyOptions & { readonly trace?: Envelope.Trace | undefined } = {}
  ) =>
    Effect.suspend((): Effect.Effect<ReadonlyArray<AppendResult>, AppendError | WrongExpectedPosition, EventStore> => {
      const encoded: Array<StoreBatch> = []
      for (const { events, expected, streamId } of batches) {
        const pending = encode(streamId, events, trace)
        if (Result.isFailure(pending)) return Effect.fail(pending.failure)
        encoded.push({ streamId, events: pending.success, expected })
      }
      return EventStore.use((store) => store.appendMany(encoded, conditions))
    })

  return { append, appendMany }
}
