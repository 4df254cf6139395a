/**
 * The "send a command" form of the current domain: a choice of command (one per case of the command
 * union), the fields of that case (see `forms.ts`), and a send button. Invalid input is reported next
 * to each field with the Schema's message and nothing is sent.
 */
import { h } from "./dom.ts"
import type { Domain } from "./domains.ts"
import { casesOf, type CommandCase, type Field, inputOf, type Problems, type Raw, validate } from "./forms.ts"

/** The form, to be placed in the page once and shown for a domain. */
export interface CommandForm {
  readonly element: HTMLFormElement
  /** Shows the forms of `domain`, with the values last typed for it (or its examples). */
  readonly show: (domain: Domain) => void
  /** Fills the stream id field (e.g. when a stream is selected elsewhere). */
  readonly setStreamId: (id: string) => void
}

const controlId = (field: Field) => `field-${field.name}`

const controlOf = (field: Field, raw: string | boolean | undefined, described: string): HTMLElement => {
  const attrs = { id: controlId(field), name: field.name, "aria-describedby": described }
  switch (field.control._tag) {
    case "Toggle":
      return h("input", { attrs: { ...attrs, type: "checkbox", checked: raw === true } })
    case "Choice":
      return h(
        "select",
        { attrs },
        ...field.control.options.map((option) =>
          h("option", { attrs: { value: String(option), selected: String(option) === raw } }, String(option))
        )
      )
    case "Number":
      return h("input", {
        attrs: { ...attrs, type: "number", inputmode: field.control.integer ? "numeric" : "decimal", step: field.control.integer ? 1 : "any", value: typeof raw === "string" ? raw : "" }
      })
    default:
      return h("input", { attrs: { ...attrs, type: "text", autocomplete: "off", spellcheck: false, value: typeof raw === "string" ? raw : "" } })
  }
}

const fieldView = (field: Field, raw: string | boolean | undefined): HTMLElement => {
  const hintId = `${controlId(field)}-hint`
  const errorId = `${controlId(field)}-error`
  return h(
    "div",
    { class: "field", attrs: { "data-field": field.name } },
    h("label", { attrs: { for: controlId(field) } }, field.label, field.optional ? h("span", { class: "optional" }, " (optional)") : null),
    controlOf(field, raw, `${hintId} ${errorId}`),
    h("span", { class: "hint", attrs: { id: hintId } }, field.hint),
    h("span", { class: "error", attrs: { id: errorId } })
  )
}

// Shows the problems of the last attempt (none: clears them) without rebuilding the fields, so
// that focus and typing are never lost.
const mark = (fields: HTMLElement, general: HTMLElement, problems: Problems | undefined) => {
  for (const view of fields.querySelectorAll<HTMLElement>(".field")) {
    const messages = problems?.fields.get(view.dataset["field"] ?? "") ?? []
    view.classList.toggle("invalid", messages.length > 0)
    view.querySelector(".error")!.textContent = messages.join(" · ")
    const control = view.querySelector("input, select")
    if (messages.length > 0) control?.setAttribute("aria-invalid", "true")
    else control?.removeAttribute("aria-invalid")
  }
  general.textContent = problems === undefined ? "" : ["Not sent: the command does not match its Schema.", ...problems.general].join(" ")
}

const readRaw = (form: HTMLFormElement, commandCase: CommandCase): Raw =>
  new Map(commandCase.fields.map((field) => {
    const control = form.elements.namedItem(field.name)
    const raw = control instanceof HTMLInputElement && control.type === "checkbox"
      ? control.checked
      : (control as HTMLInputElement | HTMLSelectElement | null)?.value ?? ""
    return [field.name, raw] as const
  }))

/**
 * Makes the form. `send` gets a command that decoded with the domain's Schema; the form stays
 * disabled until the promise it returns settles. `invalid` hears of an attempt that was not sent.
 */
export const make = (options: {
  readonly defaults: (domain: Domain) => Raw
  readonly send: (domain: Domain, input: Record<string, unknown>) => Promise<void>
  readonly invalid: () => void
}): CommandForm => {
  const picker = h("div", { class: "segmented", attrs: { role: "radiogroup", "aria-labelledby": "command-legend" } })
  const fields = h("div", { class: "fields" })
  const general = h("p", { class: "form-error", attrs: { role: "alert" } })
  const button = h("button", { class: "primary", attrs: { type: "submit" } }, "Send command")
  const element = h(
    "form",
    { attrs: { novalidate: true, "aria-labelledby": "send-title" } },
    h("p", { class: "label", attrs: { id: "command-legend" } }, "Command"),
    picker,
    fields,
    general,
    h("div", { class: "actions" }, button)
  )
  let domain: Domain | undefined
  let current: CommandCase | undefined
  const raws = new Map<string, Map<string, string | boolean>>()

  const rawFor = (of: Domain) => {
    const existing = raws.get(of.key)
    if (existing !== undefined) return existing
    const fresh = new Map(options.defaults(of))
    raws.set(of.key, fresh)
    return fresh
  }

  const remember = () => {
    if (domain === undefined || current === undefined) return
    for (const [name, raw] of readRaw(element, current)) rawFor(domain).set(name, raw)
  }

  const renderFields = () => {
    if (domain === undefined || current === undefined) return
    const raw = rawFor(domain)
    fields.replaceChildren(...current.fields.map((field) => fieldView(field, raw.get(field.name))))
    general.textContent = ""
  }

  const choose = (commandCase: CommandCase) => {
    remember()
    current = commandCase
    for (const radio of picker.querySelectorAll("input")) radio.checked = radio.value === commandCase.tag
    renderFields()
  }

  const caseButton = (commandCase: CommandCase): HTMLElement => {
    const id = `command-${commandCase.tag}`
    return h(
      "span",
      { class: "segment" },
      h("input", {
        attrs: { type: "radio", name: "command", id, value: commandCase.tag, checked: commandCase === current },
        on: { change: () => choose(commandCase) }
      }),
      h("label", { attrs: { for: id } }, commandCase.tag)
    )
  }

  element.addEventListener("submit", (event) => {
    event.preventDefault()
    if (domain === undefined || current === undefined || button.disabled) return
    remember()
    const input = inputOf(current, rawFor(domain))
    const problems = validate(domain.commandSchema, input)
    mark(fields, general, problems)
    if (problems !== undefined) {
      options.invalid()
      element.querySelector<HTMLElement>("[aria-invalid=true]")?.focus()
      return
    }
    button.disabled = true
    void options.send(domain, input).finally(() => {
      button.disabled = false
    })
  })

  return {
    element,
    show: (next) => {
      remember()
      domain = next
      const cases = casesOf(next.commandSchema)
      current = cases[0]
      picker.replaceChildren(...cases.map(caseButton))
      renderFields()
    },
    setStreamId: (id) => {
      if (domain === undefined) return
      remember()
      rawFor(domain).set(domain.idField, id)
      const control = element.elements.namedItem(domain.idField)
      if (control instanceof HTMLInputElement) control.value = id
    }
  }
}
