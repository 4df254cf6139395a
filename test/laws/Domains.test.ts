/**
 * The laws of `@chronicle/testing`, run on all four example domains with generated command
 * sequences (at least 100 cases each), on the in-memory store where a store is involved.
 */
import { Projection } from "@chronicle/core"
import { BankAccount, ShoppingCart } from "@chronicle/examples"
import { MemoryEventStore } from "@chronicle/store-memory"
import { Arbitraries, Laws } from "@chronicle/testing"
import { describe, it } from "@effect/vitest"
import fc from "fast-check"
import { type Domain, domains, forEachDomain } from "../examples/Arbitraries.ts"

const numRuns = 100

forEachDomain((name, domain) => {
  const events = domain.history.filter((history) => history.length > 0).chain((history) => fc.constantFrom(...history))

  describe(`laws on ${name}`, () => {
    it("fold is a homomorphism: batch boundaries never change the state", () => {
      fc.assert(Laws.foldHomomorphism({ decider: domain.decider, history: domain.history }), { numRuns })
    })

    it("decide is deterministic", () => {
      fc.assert(Laws.deterministicDecide({ decider: domain.decider, commands: domain.commands }), { numRuns })
    })

    it("events survive encode → JSON → decode (decided events and Schema-generated ones)", () => {
      fc.assert(Laws.codecRoundTrip({ schema: domain.eventSchema, events }), { numRuns })
      fc.assert(
        Laws.codecRoundTrip({ schema: domain.eventSchema, events: Arbitraries.fromSchema(domain.eventSchema) }),
        { numRuns }
      )
    })

    it("live state equals the state replayed from the in-memory store", async () => {
      await fc.assert(Laws.liveEqualsReplay({ ...domain, layer: MemoryEventStore.layer }), { numRuns })
    })

    it("a projection of the decider's state: incremental (with re-deliveries) equals rebuild", () => {
      fc.assert(
        Laws.projectionIncrementalEqualsRebuild({
          projection: Projection.fromDecider(domain.decider),
          eventSchema: domain.eventSchema,
          history: domain.history
        }),
        { numRuns }
      )
    })
  })
})

const readModelLaws = <State, Event extends { readonly _tag: string }>(
  name: string,
  projection: Projection.Projection<State, Event>,
  domain: Pick<Domain<never, unknown, Event, unknown>, "eventSchema" | "history" | "streamId">
) => {
  const { eventSchema, history, streamId } = domain
  it(`${name}: incremental application with re-deliveries equals rebuild`, () => {
    fc.assert(Laws.projectionIncrementalEqualsRebuild({ projection, eventSchema, history }), { numRuns })
  })

  it(`${name}: a running Projector, resumed or rebuilt, equals the fold`, async () => {
    await fc.assert(
      Laws.projectorIncrementalEqualsRebuild({ projection, eventSchema, history, streamId, layer: MemoryEventStore.layer }),
      { numRuns }
    )
  })
}

describe("laws on the example read models", () => {
  readModelLaws("BankAccount.balances", BankAccount.balances, domains.BankAccount)
  readModelLaws("ShoppingCart.summary", ShoppingCart.summary, domains.ShoppingCart)
})
