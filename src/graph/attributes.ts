// Typed access to a node's ONNX attributes.
import { ATTR_TYPE, type AttributeProto } from './onnx/codec.js'
import type { GraphNode } from './types.js'
import { decodeTensor } from './tensor-data.js'
import type { ConstTensor } from './types.js'

function find (node: GraphNode, name: string): AttributeProto | undefined {
  return node.attributes.find(a => a.name === name)
}

/** An INT attribute, or `fallback` when absent. */
export function attrInt (node: GraphNode, name: string, fallback: number): number
export function attrInt (node: GraphNode, name: string): number | undefined
export function attrInt (node: GraphNode, name: string, fallback?: number): number | undefined {
  const a = find(node, name)
  return a?.i != null ? Number(a.i) : fallback
}

/** A FLOAT attribute, or `fallback` when absent. */
export function attrFloat (node: GraphNode, name: string, fallback: number): number
export function attrFloat (node: GraphNode, name: string): number | undefined
export function attrFloat (node: GraphNode, name: string, fallback?: number): number | undefined {
  const a = find(node, name)
  return a?.f != null ? a.f : fallback
}

/** An INTS attribute, or `fallback` when absent. */
export function attrInts (node: GraphNode, name: string, fallback: number[]): number[]
export function attrInts (node: GraphNode, name: string): number[] | undefined
export function attrInts (node: GraphNode, name: string, fallback?: number[]): number[] | undefined {
  const a = find(node, name)
  if (a == null) return fallback
  return (a.ints ?? []).map(Number)
}

/** A FLOATS attribute, or `fallback` when absent. */
export function attrFloats (node: GraphNode, name: string): number[] | undefined {
  const a = find(node, name)
  return a == null ? undefined : (a.floats ?? []).map(Number)
}

/** A STRING attribute decoded as UTF-8, or `fallback` when absent. */
export function attrString (node: GraphNode, name: string, fallback: string): string
export function attrString (node: GraphNode, name: string): string | undefined
export function attrString (node: GraphNode, name: string, fallback?: string): string | undefined {
  const a = find(node, name)
  return a?.s != null ? new TextDecoder().decode(a.s) : fallback
}

/** A TENSOR attribute. */
export function attrTensor (node: GraphNode, name: string): ConstTensor | undefined {
  const a = find(node, name)
  return a?.t != null ? decodeTensor(a.t, `${node.name}.${name}`) : undefined
}

/** Builds an INTS attribute. */
export function intsAttr (name: string, ints: number[]): AttributeProto {
  return { name, type: ATTR_TYPE.INTS, ints }
}

/** Builds an INT attribute. */
export function intAttr (name: string, i: number): AttributeProto {
  return { name, type: ATTR_TYPE.INT, i }
}

/** A copy of `attributes` with `replacement` put in place of the attribute of the same name (or appended). */
export function withAttribute (attributes: AttributeProto[], replacement: AttributeProto): AttributeProto[] {
  const out = attributes.filter(a => a.name !== replacement.name)
  out.push(replacement)
  return out
}
