/**
 * The **Inspector**: what the runtime does, as data. The CommandHandler reports each step of each
 * command — received, decided on a state (or rejected), conflicted and retried, appended — to the
 * Inspector in its context. By default the Inspector ignores them; provide {@link layerStream} (or
 * your own) to watch them, e.g. to draw the flow command → decide → events → store in a UI, log them,
 * or assert on them in a test. Nothing in the runtime depends on who listens.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { Context, Effect, Layer, PubSub, Stream } from "effect"
import type { Scope } from "effect"

/**
 * One step of handling a command. Every step names the stream and carries the command's `trace`
 * (correlation and causation ids), so the steps of one command can be followed together.
 *
 * @since 0.1.0
 */
export type Inspection =
  | {
    /** A command arrived (decoded, when it came as `unknown`). */
    readonly _tag: "CommandReceived"
    readonly streamId: string
    readonly command: unknown
    readonly trace: Envelope.Trace | undefined
  }
  | {
    /** `decide` accepted the command in `state` (loaded at `version`) with these events. */
    readonly _tag: "Decided"
    readonly streamId: string
    readonly command: unknown
    readonly state: unknown
    readonly version: number
    readonly events: ReadonlyArray<unknown>
    readonly trace: Envelope.Trace | undefined
  }
  | {
    /** `decide` refused the command in `state` (loaded at `version`). */
    readonly _tag: "Rejected"
    readonly streamId: string
    readonly command: unknown
    readonly state: unknown
    readonly version: number
    readonly rejection: unknown
    readonly trace: Envelope.Trace | undefined
  }
  | {
    /** The append found the stream at `actual` instead of `expected`; the handler loads and decides again. */
    readonly _tag: "Conflicted"
    readonly streamId: string
    readonly expected: number
    readonly actual: number
    readonly trace: Envelope.Trace | undefined
  }
  | {
    /** The events were recorded, with their versions, positions and metadata. */
    readonly _tag: "Appended"
    readonly streamId: string
    readonly events: ReadonlyArray<Envelope.Recorded>
    readonly trace: Envelope.Trace | undefined
  }

/**
 * Receives inspections.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly inspect: (inspection: Inspection) => Effect.Effect<void>
}

/**
 * The Inspector that ignores everything: the default. A reporter may skip building inspections
 * when it finds this one in the context, as the CommandHandler does.
 *
 * @example
 * ```ts
 * Effect.withFiber((fiber) => Effect.succeed(fiber.getRef(Inspector.Inspector) === Inspector.ignore)) // true by default
 * ```
 *
 * @since 0.1.0
 */
export const ignore: Service = { inspect: () => Effect.void }

/**
 * The Inspector in the context; by default {@link ignore}.
 *
 * @since 0.1.0
 */
export const Inspector: Context.Reference<Service> = Context.Reference<Service>("@chronicle/runtime/Inspector", {
  defaultValue: () => ignore
})

/**
 * Reports an inspection to the Inspector in the context.
 *
 * @since 0.1.0
 */
export const inspect = (inspection: Inspection): Effect.Effect<void> =>
  Effect.withFiber((fiber) => fiber.getRef(Inspector).inspect(inspection))

/**
 * An Inspector that publishes every inspection to subscribers of a stream.
 *
 * @since 0.1.0
 */
export interface Streaming {
  /** Provide it to the programs to watch. */
  readonly inspector: Service
  /** Subscribes in the current scope: every inspection published from now on. */
  readonly subscribe: Effect.Effect<Stream.Stream<Inspection>, never, Scope.Scope>
}

/**
 * Makes an Inspector whose inspections can be watched as streams.
 *
 * @example
 * ```ts
 * const { inspector, subscribe } = yield* Inspector.makeStreaming
 * const steps = yield* subscribe
 * yield* accounts.handle(deposit).pipe(Effect.provideService(Inspector.Inspector, inspector))
 * ```
 *
 * @since 0.1.0
 */
export const makeStreaming: Effect.Effect<Streaming, never, Scope.Scope> = Effect.gen(function*() {
  const hub = yield* Effect.acquireRelease(PubSub.unbounded<Inspection>(), PubSub.shutdown)
  return {
    inspector: { inspect: (inspection) => Effect.asVoid(PubSub.publish(hub, inspection)) },
    subscribe: Effect.map(PubSub.subscribe(hub), Stream.fromSubscription)
  }
})

/**
 * A layer that installs a streaming Inspector and also provides it as {@link Streaming}, so a UI
 * can subscribe to what the programs built on this layer do.
 *
 * @since 0.1.0
 */
export class InspectorStream extends Context.Service<InspectorStream, Streaming>()("@chronicle/runtime/InspectorStream") {}

/**
 * Provides {@link Inspector} (publishing) and {@link InspectorStream} (to subscribe) together.
 *
 * @since 0.1.0
 */
export const layerStream: Layer.Layer<InspectorStream> = Layer.effectContext(
  Effect.map(makeStreaming, (streaming) => Context.make(InspectorStream, streaming).pipe(Context.add(Inspector, streaming.inspector)))
)
