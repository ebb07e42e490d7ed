package load

import (
	"math/bits"
	"sort"
	"strconv"
	"time"
)

// subBuckets per power of two: a bucket is at most 1/32 (3%) wide relative to its values, good enough
// for percentiles and small enough to merge exactly across shards.
const subBits = 5

// Histogram counts latencies in log-linear buckets of microseconds. Merging two histograms is adding
// their counts, so the percentiles of merged shards are those of the whole run (to the bucket's width).
type Histogram struct {
	Counts map[string]uint64 `json:"counts"` // bucket index (decimal) → count
	Max    time.Duration     `json:"max_ns"`
	N      uint64            `json:"n"`
}

func bucketOf(d time.Duration) int {
	us := uint64(max(d.Microseconds(), 0))
	if us < 1<<subBits {
		return int(us)
	}
	e := bits.Len64(us) - subBits - 1 // shift that leaves subBits+1 significant bits
	return (e+1)<<subBits + int(us>>e) - 1<<subBits
}

// upper returns the largest latency that falls in bucket b.
func upper(b int) time.Duration {
	if b < 1<<subBits {
		return time.Duration(b) * time.Microsecond
	}
	e := b>>subBits - 1
	m := uint64(b&(1<<subBits-1)) + 1<<subBits
	return time.Duration((m+1)<<e-1) * time.Microsecond
}

// Add records one latency.
func (h *Histogram) Add(d time.Duration) {
	if h.Counts == nil {
		h.Counts = map[string]uint64{}
	}
	h.Counts[strconv.Itoa(bucketOf(d))]++
	h.N++
	h.Max = max(h.Max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o Histogram) {
	if h.Counts == nil {
		h.Counts = map[string]uint64{}
	}
	for k, n := range o.Counts {
		h.Counts[k] += n
	}
	h.N += o.N
	h.Max = max(h.Max, o.Max)
}

// Quantile returns the upper bound of the bucket holding quantile q (0 < q ≤ 1), capped at the maximum.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.N == 0 {
		return 0
	}
	type kv struct {
		b int
		n uint64
	}
	bs := make([]kv, 0, len(h.Counts))
	for k, n := range h.Counts {
		b, _ := strconv.Atoi(k)
		bs = append(bs, kv{b, n})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].b < bs[j].b })
	rank := uint64(q*float64(h.N) + 0.999999)
	rank = min(max(rank, 1), h.N)
	var seen uint64
	for _, x := range bs {
		seen += x.n
		if seen >= rank {
			return min(upper(x.b), h.Max)
		}
	}
	return h.Max
}
