// Host tensors and the region copies that move rows between parts: cut a region out of a tensor
// that holds another region, paste pieces into the region a part needs.
import { ShapeError } from '../errors.js'
import { allocate, numel } from '../graph/tensor-data.js'
import type { DataType, Range, Region, SpatialAxes, TypedData } from '../graph/types.js'

/** A dense row-major tensor in host memory. */
export interface HostTensor {
  dataType: DataType
  dims: number[]
  data: TypedData
}

/** Length of a half-open range (0 when empty). */
export function rangeLength (r: Range): number {
  return Math.max(0, r[1] - r[0])
}

/** True when the region has no element. */
export function isEmptyRegion (r: Region): boolean {
  return r.rows[1] <= r.rows[0] || r.cols[1] <= r.cols[0]
}

/** The intersection of two regions (possibly empty). */
export function intersectRegions (a: Region, b: Region): Region {
  return {
    rows: [Math.max(a.rows[0], b.rows[0]), Math.min(a.rows[1], b.rows[1])],
    cols: [Math.max(a.cols[0], b.cols[0]), Math.min(a.cols[1], b.cols[1])]
  }
}

/** True when `inner` lies within `outer`. */
export function containsRegion (outer: Region, inner: Region): boolean {
  return isEmptyRegion(inner) || (inner.rows[0] >= outer.rows[0] && inner.rows[1] <= outer.rows[1] &&
    inner.cols[0] >= outer.cols[0] && inner.cols[1] <= outer.cols[1])
}

/** True when the regions are the same rectangle. */
export function sameRegion (a: Region, b: Region): boolean {
  return a.rows[0] === b.rows[0] && a.rows[1] === b.rows[1] && a.cols[0] === b.cols[0] && a.cols[1] === b.cols[1]
}

/** Dims of `region` of a tensor with dims `full`. */
export function regionDims (full: readonly number[], axes: SpatialAxes, region: Region): number[] {
  const d = [...full]
  d[axes.h] = rangeLength(region.rows)
  d[axes.w] = rangeLength(region.cols)
  return d
}

/** Row-major strides. */
function stridesOf (dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length)
  let acc = 1
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= dims[i]
  }
  return s
}

/** Copies a box of `size` from src (at srcStart) to dst (at dstStart), innermost runs with TypedArray.set. */
function copyBox (src: TypedData, srcDims: readonly number[], srcStart: number[], dst: TypedData, dstDims: readonly number[], dstStart: number[], size: number[]): void {
  if (size.some(s => s <= 0)) return
  const rank = size.length
  const ss = stridesOf(srcDims)
  const ds = stridesOf(dstDims)
  // merge trailing axes that are whole in both tensors into one contiguous run
  let inner = rank - 1
  let run = size[inner]
  while (inner > 0 && size[inner] === srcDims[inner] && size[inner] === dstDims[inner] && srcStart[inner] === 0 && dstStart[inner] === 0) {
    inner -= 1
    run *= size[inner]
  }
  const outer = size.slice(0, inner)
  const idx = new Array<number>(inner).fill(0)
  const s = src as unknown as { subarray: (a: number, b: number) => TypedData }
  const d = dst as unknown as { set: (a: TypedData, o: number) => void }
  for (;;) {
    let so = 0
    let doff = 0
    for (let k = 0; k < inner; k++) {
      so += (srcStart[k] + idx[k]) * ss[k]
      doff += (dstStart[k] + idx[k]) * ds[k]
    }
    so += srcStart[inner] * ss[inner]
    doff += dstStart[inner] * ds[inner]
    d.set(s.subarray(so, so + run), doff)
    let k = inner - 1
    while (k >= 0) {
      idx[k] += 1
      if (idx[k] < outer[k]) break
      idx[k] = 0
      k -= 1
    }
    if (k < 0) break
  }
}

/**
 * Cuts `want` out of a tensor that holds region `held` of its full tensor; `axes` says where its
 * rows and columns are. `want` must lie within `held`.
 */
export function extractRegion (t: HostTensor, held: Region, axes: SpatialAxes, want: Region): HostTensor {
  if (!containsRegion(held, want)) {
    throw new ShapeError(`region rows [${want.rows.join(', ')}) cols [${want.cols.join(', ')}) is not within rows [${held.rows.join(', ')}) cols [${held.cols.join(', ')})`)
  }
  const dims = [...t.dims]
  dims[axes.h] = rangeLength(want.rows)
  dims[axes.w] = rangeLength(want.cols)
  if (sameRegion(held, want)) return t
  const out = allocate(t.dataType, numel(dims))
  const srcStart = t.dims.map(() => 0)
  srcStart[axes.h] = want.rows[0] - held.rows[0]
  srcStart[axes.w] = want.cols[0] - held.cols[0]
  copyBox(t.data, t.dims, srcStart, out, dims, dims.map(() => 0), dims)
  return { dataType: t.dataType, dims, data: out }
}

/** Copies the overlap of `src` (holding `srcRegion`) into `dst` (holding `dstRegion`). */
export function pasteRegion (dst: HostTensor, dstRegion: Region, src: HostTensor, srcRegion: Region, axes: SpatialAxes): void {
  const o = intersectRegions(dstRegion, srcRegion)
  if (isEmptyRegion(o)) return
  const size = [...src.dims]
  size[axes.h] = rangeLength(o.rows)
  size[axes.w] = rangeLength(o.cols)
  const srcStart = src.dims.map(() => 0)
  srcStart[axes.h] = o.rows[0] - srcRegion.rows[0]
  srcStart[axes.w] = o.cols[0] - srcRegion.cols[0]
  const dstStart = dst.dims.map(() => 0)
  dstStart[axes.h] = o.rows[0] - dstRegion.rows[0]
  dstStart[axes.w] = o.cols[0] - dstRegion.cols[0]
  copyBox(src.data, src.dims, srcStart, dst.data, dst.dims, dstStart, size)
}

/** A zeroed tensor of `dims`. */
export function emptyTensor (dataType: DataType, dims: number[]): HostTensor {
  return { dataType, dims, data: allocate(dataType, numel(dims)) }
}

/** A copy of `t` cut to `ranges` along the given axes (the other axes whole). */
export function sliceAxes (t: HostTensor, ranges: Array<{ axis: number, range: Range }>): HostTensor {
  const dims = [...t.dims]
  const start = t.dims.map(() => 0)
  for (const { axis, range } of ranges) {
    start[axis] = range[0]
    dims[axis] = rangeLength(range)
  }
  const out = allocate(t.dataType, numel(dims))
  copyBox(t.data, t.dims, start, out, dims, dims.map(() => 0), dims)
  return { dataType: t.dataType, dims, data: out }
}
