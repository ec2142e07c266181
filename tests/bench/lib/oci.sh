# Writing and reading OCI image layouts with sha256sum and jq (sourced by data.sh).

MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_CONFIG=application/vnd.oci.image.config.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json
MT_LAYER_TAR=application/vnd.oci.image.layer.v1.tar
MT_LAYER_GZIP=application/vnd.oci.image.layer.v1.tar+gzip
BENCH_EPOCH=1700000000

sha256_of() { sha256sum < "$1" | cut -c1-64; }

# deterministic_tar DIR TAR [TAR_OPTION...] — packs a directory as a layer tar the
# same way every time (sorted names, fixed mtime, numeric owner 0:0, no atime/ctime).
deterministic_tar() {
  local src=$1 dst=$2; shift 2
  LC_ALL=C tar -C "$src" -cf "$dst" "$@" --sort=name --format=pax --mtime="@$BENCH_EPOCH" \
    --owner=0 --group=0 --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime .
}

# oci_image DST CONTAINER_CONFIG_JSON LAYER...
# Writes an OCI image layout with tag "latest". Each LAYER is
# "MEDIA_TYPE|BLOB_FILE|DIFF_ID|CREATED_BY", bottom layer first; the blob file is
# hard-linked into DST (copied across filesystems), never moved.
oci_image() {
  local dst=$1 container_config=$2; shift 2
  local tmp=$dst.tmp created layers='[]' diff_ids='[]' history='[]'
  created=$(date -u -d "@$BENCH_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
  rm -rf "$tmp"
  mkdir -p "$tmp/blobs/sha256"
  local spec media_type file diff_id created_by hex size
  for spec in "$@"; do
    IFS='|' read -r media_type file diff_id created_by <<<"$spec"
    hex=$(sha256_of "$file")
    size=$(stat -c %s "$file")
    ln -f "$file" "$tmp/blobs/sha256/$hex" 2>/dev/null || cp "$file" "$tmp/blobs/sha256/$hex"
    layers=$(jq -c --arg mt "$media_type" --arg d "sha256:$hex" --argjson s "$size" \
      '. + [{mediaType: $mt, digest: $d, size: $s}]' <<<"$layers")
    diff_ids=$(jq -c --arg d "$diff_id" '. + [$d]' <<<"$diff_ids")
    history=$(jq -c --arg c "$created" --arg by "$created_by" '. + [{created: $c, created_by: $by}]' <<<"$history")
  done
  jq -nc --arg created "$created" --argjson cc "$container_config" \
    --argjson diff_ids "$diff_ids" --argjson history "$history" \
    '{created: $created, architecture: "amd64", os: "linux", config: $cc,
      rootfs: {type: "layers", diff_ids: $diff_ids}, history: $history}' > "$tmp/config.json"
  oci_put_json "$tmp" config.json
  local config_digest=sha256:$(sha256_of "$tmp/config.json") config_size
  config_size=$(stat -c %s "$tmp/config.json")
  jq -nc --arg mt "$MT_MANIFEST" --arg cmt "$MT_CONFIG" --arg cd "$config_digest" \
    --argjson cs "$config_size" --argjson layers "$layers" \
    '{schemaVersion: 2, mediaType: $mt, config: {mediaType: $cmt, digest: $cd, size: $cs}, layers: $layers}' \
    > "$tmp/manifest.json"
  oci_put_json "$tmp" manifest.json
  local manifest_digest=sha256:$(sha256_of "$tmp/manifest.json") manifest_size
  manifest_size=$(stat -c %s "$tmp/manifest.json")
  rm -f "$tmp/config.json" "$tmp/manifest.json"
  jq -nc --arg imt "$MT_INDEX" --arg mt "$MT_MANIFEST" --arg d "$manifest_digest" --argjson s "$manifest_size" \
    '{schemaVersion: 2, mediaType: $imt,
      manifests: [{mediaType: $mt, digest: $d, size: $s,
                   annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' > "$tmp/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$tmp/oci-layout"
  rm -rf "$dst"
  mv "$tmp" "$dst"
}

# Copies a JSON file of a layout under construction into its blobs.
oci_put_json() { cp "$1/$2" "$1/blobs/sha256/$(sha256_of "$1/$2")"; }

oci_blob() { echo "$1/blobs/sha256/${2#sha256:}"; }

# The manifest of a layout's "latest" tag.
oci_manifest() {
  local layout=$1 digest
  digest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest") | .digest' \
    "$layout/index.json")
  oci_blob "$layout" "$digest"
}

# Layer blob paths of a layout's "latest" image, bottom first.
oci_layer_blobs() {
  local layout=$1 d
  for d in $(jq -r '.layers[].digest' "$(oci_manifest "$layout")"); do oci_blob "$layout" "$d"; done
}

# The config JSON (as a path) of a layout's "latest" image.
oci_config() {
  local layout=$1
  oci_blob "$layout" "$(jq -r .config.digest "$(oci_manifest "$layout")")"
}
