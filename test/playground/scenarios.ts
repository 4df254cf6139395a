/**
 * The playground's end-to-end scenarios, each in a browser context of its own (fresh storage).
 * They drive the page as a person would — forms, buttons, the keyboard — and read what it shows.
 */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import type { Page } from "playwright-core"
import { type Env, flowDone, hasText, logHas, logRows, pickDomain, readModel, send, shot, until } from "./browser.ts"

/** A scenario: a name and a run that throws on failure. */
export interface Scenario {
  readonly name: string
  readonly run: (env: Env) => Promise<void>
}

const openAccount = async (page: Page, accountId = "a") => {
  assert.match(await send(page, "Open", { accountId, owner: "Ada" }), /^Accepted/)
  await flowDone(page)
}

/** Open a, deposit 100, withdraw 30: the bank account at v3 with a balance of 70. */
const bankHistory = async (page: Page) => {
  await openAccount(page)
  assert.match(await send(page, "Deposit", { accountId: "a", amount: "100" }), /^Accepted/)
  await flowDone(page)
  assert.match(await send(page, "Withdraw", { accountId: "a", amount: "30" }), /^Accepted/)
  await flowDone(page)
}

const rowKeys = (rows: ReadonlyArray<{ position: string; stream: string; version: string; type: string }>) =>
  rows.map((row) => `${row.position} ${row.stream} ${row.version} ${row.type}`)

const resetStore = async (page: Page) => {
  await page.click("#reset")
  await page.click("#reset")
  await hasText(page.locator("#notice"), "its log is empty")
  await page.waitForSelector("body[data-ready]")
}

const importFile = async (page: Page, name: string, content: string) => {
  await page.locator("#import-file").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(content) })
}

const exportLog = async (page: Page): Promise<string> => {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")])
  const path = await download.path()
  return await readFile(path, "utf8")
}

/** The scenarios, run one after the other. */
export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "commands update the flow, the log, the streams and the read models",
    run: async ({ open }) => {
      const page = await open()
      await bankHistory(page)
      const steps = await flowDone(page)
      assert.match(steps, /Command Withdraw received for stream account-a/)
      assert.match(steps, /decide\(command, state at v2\) → 1 event: Withdrawn/)
      assert.match(steps, /append → recorded 1 event, stream at v3, log at #3/)
      assert.match(steps, /evolve → account-a at v3; read models caught up \(Stream states #3, Balances #3\)/)
      assert.match(await page.locator("[data-stage=decide]").innerText(), /State at v2:[\s\S]*case\s+Opened[\s\S]*balance\s+100/)
      assert.match(await page.locator("[data-stage=store]").innerText(), /version\s+v3[\s\S]*position\s+#3/)
      assert.equal(await page.locator(".signature.lit").getAttribute("data-part"), "evolve")

      const rows = await logHas(page, 3)
      assert.deepEqual(rowKeys(rows), ["#1 account-a v1 AccountOpened", "#2 account-a v2 Deposited", "#3 account-a v3 Withdrawn"])
      assert.equal(rows[1]!.payload, '{"_tag":"Deposited","accountId":"a","amount":100}')
      assert.match(rows[1]!.metadata, /recorded\d{4}-\d\d-\d\dT[\d:.]+Z/)
      assert.match(rows[1]!.metadata, /event id[0-9a-f-]{36}correlationcmd-[0-9a-f]{12}causationcmd-/)

      assert.deepEqual(await readModel(page, "bank/balances"), { a: "70" })
      assert.deepEqual(await readModel(page, "bank/streams"), { "account-a": "case Opened · balance 70" })
      assert.equal(await page.locator("#streams [aria-pressed=true]").innerText(), "account-a\nv3")
      await shot(page, "bank-after-commands")

      // A second stream, side by side; the log can show one stream.
      await openAccount(page, "b")
      assert.deepEqual(await readModel(page, "bank/balances"), { a: "70", b: "0" })
      await page.selectOption("#log-filter", "account-a")
      assert.deepEqual(rowKeys(await logRows(page)).map((row) => row.split(" ")[1]), ["account-a", "account-a", "account-a"])
      await hasText(page.locator("#log-summary"), "3 events in account-a")
    }
  },
  {
    name: "payloads are rendered as text, never as HTML",
    run: async ({ open }) => {
      const page = await open()
      const owner = "<img src=x onerror=document.body.dataset.pwned=1><b>Ada</b>"
      assert.match(await send(page, "Open", { accountId: "x", owner }), /^Accepted/)
      await flowDone(page)
      const [row] = await logHas(page, 1)
      assert.ok(row!.payload.includes(owner), row!.payload)
      assert.equal(await page.locator("main img, main b").count(), 0)
      assert.equal(await page.evaluate(() => document.body.dataset["pwned"]), undefined)
    }
  },
  {
    name: "a rejection from decide is shown as such; an invalid form sends nothing",
    run: async ({ open }) => {
      const page = await open()
      await openAccount(page)
      const rejected = await send(page, "Withdraw", { accountId: "a", amount: "500" })
      assert.match(rejected, /^Rejected by decide: InsufficientFunds/)
      assert.match(rejected, /"balance":0,"amount":500/)
      assert.equal(await page.locator("#outcome .outcome.rejected").count(), 1)
      await hasText(page.locator("#flow-steps"), "rejection InsufficientFunds: nothing is recorded")
      assert.equal(await page.locator("[data-stage=decide]").getAttribute("data-status"), "rejected")
      await logHas(page, 1)

      // Invalid input: messages from the Schema next to each field, and nothing sent.
      const steps = await page.locator("#flow-steps").innerText()
      await page.click("label[for=command-Deposit]")
      await page.fill("#field-accountId", "")
      await page.fill("#field-amount", "1.5")
      await page.getByRole("button", { name: "Send command" }).click()
      await hasText(page.locator("#field-accountId-error"), "Expected a value with a length of at least 1")
      await hasText(page.locator("#field-amount-error"), "Expected an integer")
      assert.equal(await page.locator("#field-amount").getAttribute("aria-invalid"), "true")
      assert.match(await page.locator(".form-error").innerText(), /Not sent/)
      assert.equal(await page.evaluate(() => document.activeElement?.id), "field-accountId")
      await shot(page, "invalid-form", ".send")
      await page.fill("#field-accountId", "a")
      await page.fill("#field-amount", "")
      await page.getByRole("button", { name: "Send command" }).click()
      await hasText(page.locator("#field-amount-error"), "Required")
      await page.fill("#field-amount", "-5")
      await page.getByRole("button", { name: "Send command" }).click()
      await hasText(page.locator("#field-amount-error"), "Expected a value greater than 0")
      assert.equal(await page.locator("#flow-steps").innerText(), steps)
      await logHas(page, 1)

      // A Schema check with its own message (User's e-mail address).
      await pickDomain(page, "user")
      await page.fill("#field-email", "not an address")
      await page.getByRole("button", { name: "Send command" }).click()
      await hasText(page.locator("#field-email-error"), "Expected an e-mail address such as ada@example.com")
      await logHas(page, 1)
    }
  },
  {
    name: "time travel shows the state at each version and the difference from the one before",
    run: async ({ open }) => {
      const page = await open()
      await bankHistory(page)
      await hasText(page.locator("#version-label"), "v3 of 3")
      await page.focus("#version")
      await page.keyboard.press("Home")
      await hasText(page.locator("#version-label"), "v0 of 3")
      assert.match(await page.locator("#version-state").innerText(), /"_tag": "NotOpened"/)
      await page.keyboard.press("ArrowRight")
      await hasText(page.locator("#version-label"), "v1 of 3")
      assert.match(await page.locator("#version-event").innerText(), /Event v1 \(#1\): AccountOpened/)
      assert.match(await page.locator("#version-state").innerText(), /Decider\.fold\(decider, events 1…1\) =[\s\S]*"_tag": "Opened",\s*"balance": 0/)
      assert.deepEqual(await page.locator("#version-diff li").allInnerTexts(), ['~ _tag: "NotOpened" → "Opened"', "+ balance: 0"])
      await page.keyboard.press("ArrowRight")
      await hasText(page.locator("#version-label"), "v2 of 3")
      assert.deepEqual(await page.locator("#version-diff li").allInnerTexts(), ["~ balance: 0 → 100"])
      await shot(page, "time-travel", ".travel-panel")

      // Another stream: pick it, and travel through its own versions.
      await openAccount(page, "b")
      await hasText(page.locator("#version-label"), "v1 of 1")
      await page.click("#streams [data-stream=account-a]")
      await hasText(page.locator("#version-label"), "v3 of 3")
    }
  },
  {
    name: "each domain gets its own forms; a terminal stream refuses commands",
    run: async ({ open }) => {
      const page = await open("?domain=bulb")
      assert.equal(await page.locator("#field-maxUses").getAttribute("type"), "number")
      assert.match(await send(page, "Fit", { bulbId: "hall", maxUses: "1" }), /^Accepted/)
      await flowDone(page)
      for (const command of ["SwitchOn", "SwitchOff", "SwitchOn"]) {
        assert.match(await send(page, command, { bulbId: "hall" }), /^Accepted/)
        await flowDone(page)
      }
      assert.deepEqual(rowKeys(await logHas(page, 4)).map((row) => row.split(" ").at(-1)), ["Fitted", "SwitchedOn", "SwitchedOff", "Blew"])
      assert.match(await send(page, "SwitchOn", { bulbId: "hall" }), /^Refused: bulb-hall has ended — isTerminal holds at version 4/)
      await hasText(page.locator("#flow-steps"), "refused before decide")
      assert.deepEqual(await readModel(page, "bulb/streams"), { "bulb-hall": "case Blown" })

      await pickDomain(page, "cart")
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "tea", quantity: "2", unitPrice: "350" }), /^Accepted/)
      await flowDone(page)
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "tea", quantity: "1", unitPrice: "400" }), /^Rejected by decide: PriceMismatch/)
      assert.deepEqual(await readModel(page, "cart/summary"), { c1: "itemCount 2 · total 700 · confirmed false" })

      await pickDomain(page, "user")
      assert.match(await send(page, "Register", { userId: "ada", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" }), /^Accepted/)
      await flowDone(page)
      assert.match(await send(page, "ChangeEmail", { userId: "ada", email: "ada@example.com" }), /^Rejected by decide: SameEmail/)
      await logHas(page, 6)
    }
  },
  {
    name: "read models rebuilt from zero reach the same result",
    run: async ({ open }) => {
      const page = await open()
      await bankHistory(page)
      await page.click("#rebuild")
      await hasText(page.locator("#rebuild-report"), "Balances: replayed from #0 to #3 — identical to the live read model ✓")
      await hasText(page.locator("#rebuild-report"), "Stream states: replayed from #0 to #3 — identical to the live read model ✓")
      assert.deepEqual(await readModel(page, "bank/balances"), { a: "70" })
    }
  },
  {
    name: "concurrency demo: one append conflicts, the handler reloads and retries (memory)",
    run: async ({ open }) => raceOn(await open(), "concurrency-memory")
  },
  {
    name: "concurrency demo on IndexedDB",
    run: async ({ open }) => raceOn(await open("?store=indexeddb"), "concurrency-indexeddb")
  },
  {
    name: "IndexedDB keeps the log across a reload; a reset clears it",
    run: async ({ open }) => {
      const page = await open("?store=indexeddb&domain=cart")
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "tea", quantity: "2", unitPrice: "350" }), /^Accepted/)
      await flowDone(page)
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "cake", quantity: "1", unitPrice: "300" }), /^Accepted/)
      await flowDone(page)
      await logHas(page, 2)
      await page.reload()
      await page.waitForSelector("body[data-ready=indexeddb]")
      assert.equal(await page.locator("input[name=store]:checked").getAttribute("value"), "indexeddb")
      assert.equal(await page.locator("input[name=domain]:checked").getAttribute("value"), "cart")
      assert.deepEqual(rowKeys(await logHas(page, 2)), ["#1 cart-c1 v1 ItemAdded", "#2 cart-c1 v2 ItemAdded"])
      await until("the summary after reload", () => readModel(page, "cart/summary"), (model) => model["c1"] === "itemCount 3 · total 1000 · confirmed false")
      await resetStore(page)
      await logHas(page, 0)
      await page.reload()
      await page.waitForSelector("body[data-ready=indexeddb]")
      await logHas(page, 0)
    }
  },
  {
    name: "IndexedDB: two pages see each other's events live, and a reset",
    run: async ({ open }) => {
      const a = await open("?store=indexeddb")
      const b = await open("?store=indexeddb")
      await openAccount(a)
      await logHas(b, 1)
      assert.match(await send(b, "Deposit", { accountId: "a", amount: "25" }), /^Accepted/)
      await flowDone(b)
      assert.deepEqual(rowKeys(await logHas(a, 2)), ["#1 account-a v1 AccountOpened", "#2 account-a v2 Deposited"])
      await until("A's balances", () => readModel(a, "bank/balances"), (model) => model["a"] === "25")
      await shot(b, "two-pages-b")
      await resetStore(a)
      await hasText(b.locator("#notice"), "reset (or upgraded) in another tab")
      await logHas(b, 0)
      await openAccount(b, "c")
      await logHas(a, 1)
    }
  },
  {
    name: "a record that does not decode is an infrastructure error, not a rejection",
    run: async ({ open }) => {
      const page = await open("?store=indexeddb")
      await openAccount(page)
      // Another program wrote a record this domain cannot read.
      await page.evaluate(() =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open("chronicle-playground")
          request.onsuccess = () => {
            const transaction = request.result.transaction("events", "readwrite")
            transaction.objectStore("events").add({
              streamId: "account-a",
              version: 2,
              position: 2,
              type: "Deposited",
              data: { _tag: "Deposited", accountId: "a", amount: "lots" },
              metadata: { eventId: "foreign-1", recordedAt: 0 }
            })
            transaction.oncomplete = () => {
              request.result.close()
              resolve()
            }
            transaction.onerror = () => reject(transaction.error)
          }
          request.onerror = () => reject(request.error)
        })
      )
      const failed = await send(page, "Deposit", { accountId: "a", amount: "5" })
      assert.match(failed, /^Infrastructure error: EventDecodeError/)
      assert.match(failed, /not a decision of the domain/)
      assert.equal(await page.locator("#outcome .outcome.failed").count(), 1)
      await hasText(page.locator("#flow-steps"), "Infrastructure error")

      // Read models built from the start stop on it, and say so where they are shown.
      await page.reload()
      await page.waitForSelector("body[data-ready=indexeddb]")
      const balances = await hasText(page.locator('[data-model="bank/balances"]'), "Stopped: EventDecodeError")
      assert.match(balances, /stopped/)
      await hasText(page.locator('[data-model="bank/streams"]'), "Stopped: EventDecodeError")
    }
  },
  {
    name: "export, then import: the same log; a bad file changes nothing",
    run: async ({ open }) => {
      const page = await open()
      await bankHistory(page)
      await pickDomain(page, "cart")
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "tea", quantity: "1", unitPrice: "350" }), /^Accepted/)
      await flowDone(page)
      const before = await logHas(page, 4)
      const exported = await exportLog(page)
      const file = JSON.parse(exported) as { format: string; events: Array<Record<string, any>> }
      assert.equal(file.format, "chronicle-log")
      assert.equal(file.events.length, 4)

      await resetStore(page)
      await logHas(page, 0)
      await importFile(page, "log.json", exported)
      await hasText(page.locator("#notice"), "Imported 4 events into the memory store")
      const imported = await logHas(page, 4)
      assert.deepEqual(imported, before, "the log is reproduced, metadata included")
      assert.deepEqual(await readModel(page, "cart/summary"), { c1: "itemCount 1 · total 350 · confirmed false" })

      const edited = (edit: (events: Array<Record<string, any>>) => void) => {
        const copy = structuredClone(file)
        edit(copy.events)
        return JSON.stringify(copy)
      }
      const bad: ReadonlyArray<readonly [string, string, string]> = [
        ["not JSON", "{ this is not json", "it is not JSON"],
        ["a foreign file", JSON.stringify({ format: "something-else", events: [] }), "it is not a Chronicle event log"],
        ["a record without an event id", edited((events) => delete events[1]!.metadata.eventId), '["eventId"]'],
        ["a gap in versions", edited((events) => (events[2]!.version = 4)), 'event #3 (stream "account-a", version 4): expected version 3 of its stream'],
        ["positions out of order", edited((events) => (events[3]!.position = 2)), "position 2 does not follow 3"],
        ["an unknown event type", edited((events) => (events[1]!.type = "Teleported")), 'unknown event type "Teleported"'],
        ["a payload its Schema refuses", edited((events) => (events[1]!.data.amount = -5)), "Expected a value greater than 0"],
        [
          "an event of another domain in a stream",
          edited((events) => {
            events[3] = { ...events[3]!, type: "AccountOpened", data: { _tag: "AccountOpened", accountId: "c1", owner: "Ada" } }
          }),
          'event #4 (stream "cart-c1", version 1): it belongs to stream "account-c1"'
        ],
        ["a log without events", edited((events) => events.splice(0)), "log without events.json holds no events"]
      ]
      for (const [what, content, message] of bad) {
        await page.evaluate(() => document.getElementById("notice")?.replaceChildren())
        await importFile(page, `${what}.json`, content)
        const notice = await hasText(page.locator("#notice"), "Nothing was imported")
        assert.ok(notice.includes(message), `${what}: ${notice}`)
        assert.deepEqual(await logRows(page), imported, `${what} changed the log`)
      }
      await shot(page, "import-refused", "#notice")
      // Nothing broke: cart c1 still takes commands.
      assert.match(await send(page, "AddItem", { cartId: "c1", productId: "cake", quantity: "1", unitPrice: "300" }), /^Accepted .* now at version 2/)
      await flowDone(page)
      await logHas(page, 5)

      // Replacing a log is asked first, saying how many events go and how many come.
      const asked: Array<string> = []
      page.once("dialog", (dialog) => {
        asked.push(dialog.message())
        void dialog.dismiss()
      })
      await importFile(page, "log.json", exported)
      await hasText(page.locator("#notice"), "Nothing was imported: the memory store keeps its 5 events")
      assert.deepEqual(asked, ["Replace the 5 events of the memory store with the 4 events of log.json? The events now in the store are erased."])
      await logHas(page, 5)
      page.once("dialog", (dialog) => {
        asked.push(dialog.message())
        void dialog.accept()
      })
      await importFile(page, "first.json", edited((events) => events.splice(1)))
      await hasText(page.locator("#notice"), "Imported 1 event into the memory store")
      assert.equal(asked.length, 2)
      assert.deepEqual(rowKeys(await logHas(page, 1)), ["#1 account-a v1 AccountOpened"])
    }
  },
  {
    name: "the selected stream and version are in the address: they survive a reload and an import",
    run: async ({ open }) => {
      const page = await open("?store=indexeddb")
      await bankHistory(page)
      await openAccount(page, "b")
      await page.click("#streams [data-stream=account-a]")
      await page.focus("#version")
      await page.keyboard.press("ArrowLeft")
      await page.keyboard.press("ArrowLeft")
      await hasText(page.locator("#version-label"), "v1 of 3")
      await until("the address", () => page.evaluate(() => location.search), (search) => search.includes("stream=account-a&version=1"))
      const restored = async (what: string) => {
        await hasText(page.locator("#version-label"), "v1 of 3")
        assert.equal(await page.locator("#streams [aria-pressed=true]").innerText(), "account-a\nv3", what)
        assert.equal(await page.inputValue("#field-accountId"), "a", what)
      }
      await page.reload()
      await page.waitForSelector("body[data-ready=indexeddb]")
      await restored("after a reload")

      const exported = await exportLog(page)
      page.once("dialog", (dialog) => void dialog.accept())
      await importFile(page, "log.json", exported)
      await hasText(page.locator("#notice"), "Imported 4 events into the indexeddb store")
      await logHas(page, 4)
      await restored("after an import")
    }
  },
  {
    name: "the outcome, the log and the read models wait for the flow to reach them; Send waits for it to end",
    run: async ({ open }) => {
      const page = await open()
      await page.selectOption("#pace", "1200")
      const sendButton = page.getByRole("button", { name: "Send command" })
      await sendButton.click()
      await new Promise((resolve) => setTimeout(resolve, 400))
      assert.equal(await page.locator("[data-stage=command]").getAttribute("data-status"), "active")
      assert.equal(await page.locator("#outcome").innerText(), "", "no outcome while the flow is on its first stage")
      assert.equal(await sendButton.isDisabled(), true)
      assert.equal(await page.locator("#log tbody tr").count(), 0)
      assert.equal(await page.locator("#streams [data-stream]").count(), 0)
      assert.deepEqual(await readModel(page, "bank/balances"), {})
      await logHas(page, 1)
      assert.match(await page.locator("#flow-steps").innerText(), /append → recorded 1 event/)
      await hasText(page.locator("#outcome"), "Accepted", 15_000)
      assert.match(await page.locator("#flow-steps").innerText(), /evolve → account-a at v1/)
      assert.deepEqual(await readModel(page, "bank/balances"), { a: "0" })
      await until("Send enabled", () => sendButton.isDisabled(), (disabled) => !disabled)

      // A form that is not sent replaces the last outcome; an id of spaces is no id.
      await page.selectOption("#pace", "0")
      await page.click("label[for=command-Deposit]")
      await page.fill("#field-accountId", "   ")
      await page.fill("#field-amount", "5")
      await sendButton.click()
      await hasText(page.locator("#field-accountId-error"), "Expected a value with a length of at least 1")
      assert.equal(await page.locator("#outcome .outcome").count(), 0)
      await logHas(page, 1)

      // A domain switch starts the flow afresh: nothing of the last command stays lit.
      assert.equal(await page.locator(".signature.lit").count(), 1)
      await pickDomain(page, "bulb")
      assert.equal(await page.locator(".signature.lit").count(), 0)
      assert.equal(await page.locator("[data-stage][data-status=done]").count(), 0)
    }
  },
  {
    name: "read models keep their keys in order, numeric-looking ones too",
    run: async ({ open }) => {
      const page = await open()
      for (const id of ["b", "10", "2"]) await openAccount(page, id)
      const keys = (model: string) => page.locator(`[data-model="${model}"] .card`).evaluateAll((cards) => cards.map((card) => card.getAttribute("data-key")))
      await until("the balances", () => keys("bank/balances"), (found) => found.length === 3)
      assert.deepEqual(await keys("bank/balances"), ["b", "10", "2"])
      assert.deepEqual(await keys("bank/streams"), ["account-b", "account-10", "account-2"])
    }
  },
  {
    name: "keyboard only: pick, fill, send, travel",
    run: async ({ open }) => {
      const page = await open()
      const focused = () => page.evaluate(() => document.activeElement?.id ?? "")
      const tabTo = async (id: string) => {
        for (let i = 0; i < 60 && (await focused()) !== id; i++) await page.keyboard.press("Tab")
        assert.equal(await focused(), id, `Tab never reached #${id}`)
      }
      await tabTo("command-Open")
      const ring = await page.evaluate(() => getComputedStyle(document.querySelector("label[for=command-Open]")!).outlineStyle)
      assert.equal(ring, "solid")
      await page.keyboard.press("Tab")
      assert.equal(await focused(), "field-accountId")
      await page.keyboard.press("Tab")
      assert.equal(await focused(), "field-owner")
      await page.keyboard.press("Enter")
      await hasText(page.locator("#outcome"), "Accepted")
      await flowDone(page)
      assert.equal(await focused(), "field-owner", "sending keeps the focus where it was")
      await tabTo("command-Open")
      await page.keyboard.press("ArrowRight")
      assert.equal(await page.locator("#command-Deposit").isChecked(), true)
      await tabTo("field-amount")
      await page.keyboard.type("42")
      await page.keyboard.press("Enter")
      await hasText(page.locator("#outcome"), "now at version 2")
      await flowDone(page)
      await tabTo("version")
      await page.keyboard.press("ArrowLeft")
      await hasText(page.locator("#version-label"), "v1 of 2")
      await tabTo("reset")
      await page.keyboard.press("Enter")
      await page.keyboard.press("Enter")
      await hasText(page.locator("#notice"), "its log is empty")
      await logHas(page, 0)
    }
  },
  {
    name: "readable at 360 px: no horizontal scrolling",
    run: async ({ open }) => {
      const page = await open()
      await page.setViewportSize({ width: 360, height: 780 })
      await bankHistory(page)
      await page.getByRole("button", { name: "Run two writers" }).click()
      await hasText(page.locator("#race-summary"), "conflict")
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 360, `the page is ${width} px wide`)
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("main *")].filter((element) => element.getBoundingClientRect().right > 361).map((element) => element.className || element.tagName)
      )
      assert.deepEqual(wide, [])

      // Targets of at least 24 × 24 px (a notice's close button too); live regions that are not
      // lists; landmarks with unique names.
      await Promise.all([page.waitForEvent("download"), page.click("#export")])
      await hasText(page.locator("#notice"), "Exported 6 events")
      const small = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("button, select, input:not([type=radio]):not([hidden]), .segment label, a[href]")]
          .filter((element) => element.getClientRects().length > 0 && !element.classList.contains("skip"))
          .map((element) => ({ element, box: element.getBoundingClientRect() }))
          .filter(({ box }) => box.width < 24 || box.height < 24)
          .map(({ box, element }) => `${element.tagName.toLowerCase()}#${element.id}.${element.className} ${Math.round(box.width)}×${Math.round(box.height)}`)
      )
      assert.deepEqual(small, [])
      assert.deepEqual(await page.locator("ul[role=status], ol[role=status], ul[role=alert], ol[role=alert]").count(), 0)
      const names = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("section[aria-labelledby], section[aria-label], [role=region]")].map((element) =>
          element.getAttribute("aria-label") ?? document.getElementById(element.getAttribute("aria-labelledby") ?? "")?.textContent ?? ""
        )
      )
      assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), [], names.join(" | "))
      await shot(page, "narrow-360")
    }
  }
]

const raceOn = async (page: Page, name: string) => {
  await page.getByRole("button", { name: "Run two writers" }).click()
  await hasText(page.locator("#race-summary"), "1 conflict: writer")
  const conflicted = page.locator("[data-lane][data-conflicted=true]")
  assert.equal(await conflicted.count(), 1)
  const steps = await conflicted.locator(".lane-steps li").allInnerTexts()
  const conflict = steps.findIndex((step) => /CONFLICT: the stream is at v2/.test(step))
  assert.ok(conflict > 0, steps.join("\n"))
  assert.match(steps[conflict + 1] ?? "", /Loaded v2; decide → Deposited/)
  assert.match(steps[conflict + 2] ?? "", /Appended v3/)
  assert.equal(await page.locator("[data-lane] .outcome.accepted").count(), 2)
  assert.deepEqual(rowKeys(await logHas(page, 3)), [
    "#1 account-shared v1 AccountOpened",
    "#2 account-shared v2 Deposited",
    "#3 account-shared v3 Deposited"
  ])
  await until("the balances", () => readModel(page, "bank/balances"), (model) => model["shared"] === "150")
  await shot(page, name, ".race-panel")
}

/** Writes the README's screenshot: the page down to the flow of the last command, after a few commands. */
export const readmeScreenshot = async ({ open }: Env, path: string): Promise<void> => {
  const page = await open()
  await bankHistory(page)
  await page.evaluate(() => window.scrollTo(0, 0))
  const { bottom, width } = await page.locator(".flow-panel .stages").evaluate((stages) => ({
    bottom: Math.ceil(stages.getBoundingClientRect().bottom) + 8,
    width: document.documentElement.clientWidth
  }))
  await page.screenshot({ path, clip: { x: 0, y: 0, width, height: bottom } })
}
