/**
 * Building DOM nodes from data. Text is always inserted as text nodes (or `textContent`), never
 * parsed as HTML, so payloads from the event log can hold anything without being interpreted.
 */

/** What an element can contain: nodes, text, or nothing (`null`, `undefined`, `false` are skipped). */
export type Child = Node | string | number | null | undefined | false

/** Attributes (set with `setAttribute`), event handlers (`on`) and a class name. */
export interface Props {
  readonly class?: string | undefined
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>> | undefined
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void } | undefined
}

/**
 * Creates an element with props and children; strings become text nodes.
 *
 * @example
 * ```ts
 * h("button", { attrs: { type: "button" }, on: { click: send } }, "Send")
 * ```
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  if (props.class !== undefined) element.className = props.class
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === true) element.setAttribute(name, "")
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value))
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) element.addEventListener(type, listener as EventListener)
  element.append(...nodes(children))
  return element
}

const nodes = (children: ReadonlyArray<Child>): Array<Node | string> =>
  children.flatMap((child) =>
    child === null || child === undefined || child === false ? [] : [typeof child === "number" ? String(child) : child]
  )

/** Replaces the children of `element`. */
export const fill = (element: Element, ...children: ReadonlyArray<Child>): void => element.replaceChildren(...nodes(children))

/** The element with id `id`, which the page must have. */
export const byId = <E extends HTMLElement = HTMLElement>(id: string): E => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`The page has no #${id}`)
  return element as E
}
