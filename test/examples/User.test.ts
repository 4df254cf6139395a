import { User } from "@chronicle/examples"
import { DeciderSpec } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const spec = DeciderSpec.make(User.decider)

const userId = "u1"
const register: User.Command = { _tag: "Register", userId, givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" }
const changeEmail = (email: string): User.Command => ({ _tag: "ChangeEmail", userId, email })
const deactivate: User.Command = { _tag: "Deactivate", userId }
const registered: User.Event = { _tag: "UserRegistered", userId, givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" }
const emailChanged = (email: string): User.Event => ({ _tag: "EmailChanged", userId, email })
const deactivated: User.Event = { _tag: "UserDeactivated", userId }

describe("User", () => {
  describe("Register", () => {
    it("registers a new user", () => {
      const state = spec.given([]).when(register).then([registered])
      assert.deepStrictEqual(state, { _tag: "Active", email: "ada@example.com" })
    })

    it("rejects registering twice", () => {
      spec.given([registered]).when(register).thenRejects({ _tag: "AlreadyRegistered", userId })
    })

    it("refuses registering a deactivated user again: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([registered, deactivated]).when(register).thenTerminated()
      assert.deepStrictEqual(User.decider.decide(register, state), Result.fail({ _tag: "Deactivated", userId }))
    })
  })

  describe("ChangeEmail", () => {
    it("changes the e-mail address", () => {
      const state = spec.given([registered]).when(changeEmail("ada@lovelace.org")).then([
        emailChanged("ada@lovelace.org")
      ])
      assert.deepStrictEqual(state, { _tag: "Active", email: "ada@lovelace.org" })
    })

    it("rejects the current address", () => {
      spec.given([registered, emailChanged("ada@lovelace.org")]).when(changeEmail("ada@lovelace.org")).thenRejects({
        _tag: "SameEmail",
        userId,
        email: "ada@lovelace.org"
      })
    })

    it("accepts going back to a former address", () => {
      spec.given([registered, emailChanged("ada@lovelace.org")]).when(changeEmail("ada@example.com")).then([
        emailChanged("ada@example.com")
      ])
    })

    it("rejects a user that is not registered", () => {
      spec.given([]).when(changeEmail("ada@lovelace.org")).thenRejects({ _tag: "NotRegistered", userId })
    })

    it("refuses a deactivated user: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([registered, deactivated]).when(changeEmail("ada@lovelace.org")).thenTerminated()
      assert.deepStrictEqual(
        User.decider.decide(changeEmail("ada@lovelace.org"), state),
        Result.fail({ _tag: "Deactivated", userId })
      )
    })
  })

  describe("Deactivate", () => {
    it("deactivates an active user", () => {
      const state = spec.given([registered, emailChanged("ada@lovelace.org")]).when(deactivate).then([deactivated])
      assert.deepStrictEqual(state, { _tag: "Deactivated" })
    })

    it("rejects a user that is not registered", () => {
      spec.given([]).when(deactivate).thenRejects({ _tag: "NotRegistered", userId })
    })

    it("refuses deactivating twice: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([registered, deactivated]).when(deactivate).thenTerminated()
      assert.deepStrictEqual(User.decider.decide(deactivate, state), Result.fail({ _tag: "Deactivated", userId }))
    })
  })

  it("is terminal once deactivated, and only then", () => {
    const { isTerminal, initialState } = User.decider
    assert.isFalse(isTerminal(initialState))
    assert.isFalse(isTerminal({ _tag: "Active", email: "ada@example.com" }))
    assert.isTrue(isTerminal({ _tag: "Deactivated" }))
  })

  it("derives the stream id from the user id", () => {
    assert.strictEqual(User.streamId("u1"), "user-u1")
    assert.strictEqual(User.streamId("x-1"), "user-x-1")
  })

  it("finds the stream of a command or an event", () => {
    assert.strictEqual(User.streamIdOf(deactivate), "user-u1")
    assert.strictEqual(User.streamIdOf(registered), "user-u1")
  })

  describe("Command schema", () => {
    const decodeFailure = (input: unknown): string =>
      Result.match(Schema.decodeUnknownResult(User.Command)(input), {
        onFailure: (error) => error.message,
        onSuccess: () => "decoded"
      })

    it("decodes valid addresses", () => {
      for (const email of ["ada@example.com", "a.b+c@mail.example.co.uk"]) {
        assert.strictEqual(decodeFailure({ _tag: "ChangeEmail", userId, email }), "decoded")
      }
    })

    it("rejects a malformed e-mail address with a clear message naming the field", () => {
      for (const email of ["ada", "ada@example", "@example.com", "ada @example.com", "ada@@example.com", ""]) {
        const message = decodeFailure({ ...register, email })
        assert.include(message, "Expected an e-mail address such as ada@example.com", email)
        assert.include(message, `["email"]`, email)
      }
    })

    it("rejects an empty given name", () => {
      assert.include(decodeFailure({ ...register, givenName: "" }), `["givenName"]`)
    })
  })
})
