/**
 * The PostgreSQL layer passes the EventStore contract unchanged — an empty schema of its own for
 * every check and every generated sequence, and pages of 3 events so that reads and subscriptions
 * cross page boundaries — and the history laws hold on its event and snapshot stores. The huge
 * append writes 66,000 events (above the 65,536 arguments a call takes in some engines), since
 * reading 200,000 back by pages of 3 takes minutes.
 */
import { BankAccount } from "@chronicle/examples"
import { PostgresEventStore, PostgresSnapshotStore } from "@chronicle/store-postgres"
import { EventStoreContract, HistoryLaws } from "@chronicle/testing"
import { describe, it } from "@effect/vitest"
import { Layer } from "effect"
import fc from "fast-check"
import { domains } from "../examples/Arbitraries.ts"
import { describePostgres, useDatabase } from "./database.ts"

const bank = { ...domains.BankAccount }
const snapshots = { stateSchema: BankAccount.State, stateVersion: 1, every: 3 }

describePostgres("PostgreSQL", () => {
  const { inEmptySchema } = useDatabase()

  EventStoreContract.register({ describe, it }, {
    name: "postgres",
    makeLayer: () => inEmptySchema((schema) => PostgresEventStore.layer({ schema, pageSize: 3 })),
    hugeBatch: 66_000
  })

  describe("history laws", () => {
    it("snapshotsChangeNothing holds for the bank account on the PostgreSQL stores", async () => {
      const layer = inEmptySchema((schema) =>
        Layer.merge(PostgresEventStore.layer({ schema }), PostgresSnapshotStore.layer({ schema }))
      )
      await fc.assert(HistoryLaws.snapshotsChangeNothing({ ...bank, snapshots, layer }), { numRuns: 50 })
    })

    it("idempotentCommands holds for the bank account on the PostgreSQL store", async () => {
      const layer = inEmptySchema((schema) => PostgresEventStore.layer({ schema }))
      await fc.assert(HistoryLaws.idempotentCommands({ ...bank, layer }), { numRuns: 50 })
    })
  })
})
