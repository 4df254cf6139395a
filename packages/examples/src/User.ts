/**
 * **User**: a user account's life cycle. A user registers with a name and an e-mail address, may
 * change the address, and may be deactivated — for good: a deactivated user accepts no further
 * command, which makes deactivation the terminal state.
 *
 * The domain also shows an event that changed shape: `UserRegistered` first carried one `name`
 * (schema version 1) and now carries `givenName` and `familyName` (version 2). Records written in
 * version 1 stay in the log as they are; {@link upcasters} turns them into version 2 on read, so
 * the decider and every projection only know the current shape.
 *
 * E-mail addresses are checked by the command Schema, so a malformed address never reaches the
 * decider; the decider only refuses what depends on the user's history.
 *
 * @example
 * ```ts
 * import { User } from "@chronicle/examples"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownResult(User.Command)({ _tag: "ChangeEmail", userId: "u1", email: "nope" })
 * // fails: Expected an e-mail address such as ada@example.com at ["email"]
 * ```
 *
 * @since 0.1.0
 */
import { Decider } from "@chronicle/core"
import type { Upcaster } from "@chronicle/core"
import { Result, Schema } from "effect"

/**
 * An e-mail address: something, an `@`, a domain with a dot, and no spaces. A light check that
 * catches typing mistakes; only sending a mail proves an address.
 *
 * @since 0.1.0
 */
export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "Expected an e-mail address such as ada@example.com" })
)

const UserId = Schema.NonEmptyString

/**
 * The commands a user accepts.
 *
 * @since 0.1.0
 */
export const Command = Schema.TaggedUnion({
  Register: { userId: UserId, givenName: Schema.NonEmptyString, familyName: Schema.String, email: Email },
  ChangeEmail: { userId: UserId, email: Email },
  Deactivate: { userId: UserId }
})

/**
 * A command to a user: `Register`, `ChangeEmail` or `Deactivate`.
 *
 * @since 0.1.0
 */
export type Command = typeof Command.Type

/**
 * The events a user records.
 *
 * @since 0.1.0
 */
export const Event = Schema.TaggedUnion({
  UserRegistered: { userId: UserId, givenName: Schema.NonEmptyString, familyName: Schema.String, email: Email },
  EmailChanged: { userId: UserId, email: Email },
  UserDeactivated: { userId: UserId }
})

/**
 * An event of a user: `UserRegistered`, `EmailChanged` or `UserDeactivated`.
 *
 * @since 0.1.0
 */
export type Event = typeof Event.Type

/**
 * Why a user refuses a command.
 *
 * @since 0.1.0
 */
export const Rejection = Schema.TaggedUnion({
  AlreadyRegistered: { userId: UserId },
  NotRegistered: { userId: UserId },
  Deactivated: { userId: UserId },
  SameEmail: { userId: UserId, email: Email }
})

/**
 * A refusal: the user is already registered, not registered yet, or deactivated, or the new
 * e-mail address is the current one.
 *
 * @since 0.1.0
 */
export type Rejection = typeof Rejection.Type

/**
 * What `decide` needs to know about a user: whether it is registered and active (with its current
 * e-mail address), or deactivated.
 *
 * @since 0.1.0
 */
export type State =
  | { readonly _tag: "Unregistered" }
  | { readonly _tag: "Active"; readonly email: string }
  | { readonly _tag: "Deactivated" }

type Decision = Result.Result<ReadonlyArray<Event>, Rejection>

const register = (
  { email, familyName, givenName, userId }: typeof Command.cases.Register.Type,
  state: State
): Decision => {
  if (state._tag === "Active") return Result.fail({ _tag: "AlreadyRegistered", userId })
  if (state._tag === "Deactivated") return Result.fail({ _tag: "Deactivated", userId })
  return Result.succeed([{ _tag: "UserRegistered", userId, givenName, familyName, email }])
}

const changeEmail = ({ email, userId }: typeof Command.cases.ChangeEmail.Type, state: State): Decision => {
  if (state._tag === "Unregistered") return Result.fail({ _tag: "NotRegistered", userId })
  if (state._tag === "Deactivated") return Result.fail({ _tag: "Deactivated", userId })
  if (state.email === email) return Result.fail({ _tag: "SameEmail", userId, email })
  return Result.succeed([{ _tag: "EmailChanged", userId, email }])
}

const deactivate = ({ userId }: typeof Command.cases.Deactivate.Type, state: State): Decision => {
  if (state._tag === "Unregistered") return Result.fail({ _tag: "NotRegistered", userId })
  if (state._tag === "Deactivated") return Result.fail({ _tag: "Deactivated", userId })
  return Result.succeed([{ _tag: "UserDeactivated", userId }])
}

/**
 * The user decider. Registering twice, changing or deactivating a user that is not registered,
 * any command to a deactivated user, and "changing" to the current address are rejections.
 *
 * @example
 * ```ts
 * const state: User.State = { _tag: "Active", email: "ada@example.com" }
 * User.decider.decide({ _tag: "ChangeEmail", userId: "u1", email: "ada@example.com" }, state)
 * // Result.fail({ _tag: "SameEmail", userId: "u1", email: "ada@example.com" })
 * ```
 *
 * @since 0.1.0
 */
export const decider = Decider.make<Command, State, Event, Rejection>({
  initialState: { _tag: "Unregistered" },
  decide: (command, state) => {
    switch (command._tag) {
      case "Register":
        return register(command, state)
      case "ChangeEmail":
        return changeEmail(command, state)
      case "Deactivate":
        return deactivate(command, state)
    }
  },
  evolve: (_state, event) => {
    switch (event._tag) {
      case "UserRegistered":
      case "EmailChanged":
        return { _tag: "Active", email: event.email }
      case "UserDeactivated":
        return { _tag: "Deactivated" }
    }
  },
  isTerminal: (state) => state._tag === "Deactivated"
})

/**
 * The stream of a user, from its id: `user-<userId>`. Use it where you hold an id, e.g. to
 * load the stream with a `StreamState`.
 *
 * @example
 * ```ts
 * User.streamId("u1") // "user-u1"
 * const { state, version } = yield* users.load(User.streamId("u1"))
 * ```
 *
 * @since 0.1.0
 */
export const streamId = (userId: string): string => `user-${userId}`

/**
 * The stream a command or an event of a user belongs to (both name their user): the
 * `streamId` option of a `CommandHandler`.
 *
 * @example
 * ```ts
 * User.streamIdOf({ _tag: "Deactivate", userId: "u1" }) // "user-u1"
 * const handler = CommandHandler.make({
 *   decider: User.decider,
 *   commandSchema: User.Command,
 *   eventSchema: User.Event,
 *   upcasters: User.upcasters,
 *   streamId: User.streamIdOf
 * })
 * ```
 *
 * @since 0.1.0
 */
export const streamIdOf = (message: Command | Event): string => streamId(message.userId)

/**
 * The first shape of `UserRegistered` (schema version 1): one `name` for the whole name. Kept to
 * document the history of the log and to generate old records in tests.
 *
 * @since 0.1.0
 */
export const UserRegisteredV1 = Schema.TaggedStruct("UserRegistered", {
  userId: UserId,
  name: Schema.NonEmptyString,
  email: Email
})

/**
 * Splits a version-1 name at its last space: "Ada King Lovelace" → given "Ada King", family
 * "Lovelace"; a single word is a given name with an empty family name.
 */
const splitName = (v1: unknown): unknown => {
  const { name, ...rest } = Schema.decodeUnknownSync(UserRegisteredV1)(v1)
  const space = name.lastIndexOf(" ")
  return space < 0
    ? { ...rest, givenName: name, familyName: "" }
    : { ...rest, givenName: name.slice(0, space), familyName: name.slice(space + 1) }
}

/**
 * The user's upcasters: `UserRegistered` v1 (`name`) → v2 (`givenName`, `familyName`). Pass them to
 * the `CommandHandler` and `Projector` with the event Schema.
 *
 * @example
 * ```ts
 * Upcaster.upcast(User.upcasters, "UserRegistered", 1, { _tag: "UserRegistered", userId: "u1", name: "Ada Lovelace", email: "ada@example.com" })
 * // Result.succeed({ _tag: "UserRegistered", userId: "u1", email: "ada@example.com", givenName: "Ada", familyName: "Lovelace" })
 * ```
 *
 * @since 0.1.0
 */
export const upcasters: Upcaster.Upcasters = { UserRegistered: [splitName] }
