"""Realistic queries, each written three ways: imgql, jmespath, SQL.

The jmespath form is what an openstacksdk user would write to filter the
image list on the client; the SQL form is what the same question looks like
to sqlglot. They say the same thing as the imgql query (as closely as each
language allows), so parsing them is a fair comparison of front ends.
"""

from __future__ import annotations

# (imgql, jmespath, SQL)
QUERIES: tuple[tuple[str, str, str], ...] = (
    (
        "images",
        "images[*]",
        "SELECT * FROM images",
    ),
    (
        "images where tag = lts",
        "images[?contains(tags, 'lts')]",
        "SELECT * FROM images WHERE 'lts' = ANY(tags)",
    ),
    (
        "images where status = active",
        "images[?status == 'active']",
        "SELECT * FROM images WHERE status = 'active'",
    ),
    (
        "images where name = 'cirros-0.6.2'",
        "images[?name == 'cirros-0.6.2']",
        "SELECT * FROM images WHERE name = 'cirros-0.6.2'",
    ),
    (
        "images where os_distro = ubuntu limit 5",
        "images[?os_distro == 'ubuntu'] | [:5]",
        "SELECT * FROM images WHERE os_distro = 'ubuntu' LIMIT 5",
    ),
    (
        "images where tag = lts and size < 5GB",
        "images[?contains(tags, 'lts') && size < `5000000000`]",
        "SELECT * FROM images WHERE 'lts' = ANY(tags) AND size < 5000000000",
    ),
    (
        "images where name like 'ubuntu-*'",
        "images[?starts_with(name, 'ubuntu-')]",
        "SELECT * FROM images WHERE name LIKE 'ubuntu-%'",
    ),
    (
        "images where visibility = public and not protected",
        "images[?visibility == 'public' && !protected]",
        "SELECT * FROM images WHERE visibility = 'public' AND NOT protected",
    ),
    (
        "images where name in (cirros, fedora-40, debian-12)",
        "images[?contains(['cirros', 'fedora-40', 'debian-12'], name)]",
        "SELECT * FROM images WHERE name IN ('cirros', 'fedora-40', 'debian-12')",
    ),
    (
        "images where hw_disk_bus = scsi and hw_rng_model exists",
        "images[?hw_disk_bus == 'scsi' && hw_rng_model != null]",
        "SELECT * FROM images WHERE hw_disk_bus = 'scsi' AND hw_rng_model IS NOT NULL",
    ),
    (
        "images order by created_at desc limit 10",
        "reverse(sort_by(images, &created_at)) | [:10]",
        "SELECT * FROM images ORDER BY created_at DESC LIMIT 10",
    ),
    (
        "images where disk_format = qcow2 and min_ram <= 2GB and min_disk <= 20GB",
        "images[?disk_format == 'qcow2' && min_ram <= `2048` && min_disk <= `20`]",
        "SELECT * FROM images WHERE disk_format = 'qcow2' AND min_ram <= 2048 AND min_disk <= 20",
    ),
    (
        "images where name ~ '^rhel-[89]\\.[0-9]+$' and status = active",
        "images[?starts_with(name, 'rhel-') && status == 'active']",
        "SELECT * FROM images WHERE REGEXP_LIKE(name, '^rhel-[89]\\.[0-9]+$') AND status = 'active'",
    ),
    (
        "images where tag = gpu or os_distro = ubuntu order by name",
        "sort_by(images[?contains(tags, 'gpu') || os_distro == 'ubuntu'], &name)",
        "SELECT * FROM images WHERE 'gpu' = ANY(tags) OR os_distro = 'ubuntu' ORDER BY name",
    ),
    (
        "images where tag = lts and tag = hardened and tag != legacy",
        "images[?contains(tags, 'lts') && contains(tags, 'hardened') && !contains(tags, 'legacy')]",
        "SELECT * FROM images WHERE 'lts' = ANY(tags) AND 'hardened' = ANY(tags) AND NOT 'legacy' = ANY(tags)",
    ),
    (
        "images where created_at > 2025-01-01 and created_at < 2025-07-01 order by created_at",
        "sort_by(images[?created_at > '2025-01-01' && created_at < '2025-07-01'], &created_at)",
        "SELECT * FROM images WHERE created_at > '2025-01-01' AND created_at < '2025-07-01' ORDER BY created_at",
    ),
    (
        "images where owner = 0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b and visibility in (private, shared)",
        "images[?owner == '0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b' && contains(['private', 'shared'], visibility)]",
        "SELECT * FROM images WHERE owner = '0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b' AND visibility IN ('private', 'shared')",
    ),
    (
        "images where (os_distro = ubuntu and os_version in ('22.04', '24.04')) or (os_distro = debian and "
        "os_version = '12')",
        "images[?(os_distro == 'ubuntu' && contains(['22.04', '24.04'], os_version)) || "
        "(os_distro == 'debian' && os_version == '12')]",
        "SELECT * FROM images WHERE (os_distro = 'ubuntu' AND os_version IN ('22.04', '24.04')) OR "
        "(os_distro = 'debian' AND os_version = '12')",
    ),
    (
        "images where name contains snapshot and size > 10GB and status = active order by size desc limit 20",
        "reverse(sort_by(images[?contains(name, 'snapshot') && size > `10000000000` && status == 'active'], "
        "&size)) | [:20]",
        "SELECT * FROM images WHERE name LIKE '%snapshot%' AND size > 10000000000 AND status = 'active' "
        "ORDER BY size DESC LIMIT 20",
    ),
    (
        "images where tag = lts and size < 5GB and (name like 'ubuntu-*' or os_distro in (ubuntu, debian)) "
        "and not protected order by created_at desc limit 1",
        "reverse(sort_by(images[?contains(tags, 'lts') && size < `5000000000` && (starts_with(name, 'ubuntu-') "
        "|| contains(['ubuntu', 'debian'], os_distro)) && !protected], &created_at)) | [:1]",
        "SELECT * FROM images WHERE 'lts' = ANY(tags) AND size < 5000000000 AND (name LIKE 'ubuntu-%' OR "
        "os_distro IN ('ubuntu', 'debian')) AND NOT protected ORDER BY created_at DESC LIMIT 1",
    ),
    (
        "all images where hidden and owner = 0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b order by updated_at desc",
        "reverse(sort_by(images[?os_hidden && owner == '0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b'], &updated_at))",
        "SELECT * FROM images WHERE os_hidden AND owner = '0f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b' ORDER BY updated_at DESC",
    ),
    (
        "images where checksum missing or size = null",
        "images[?checksum == null || size == null]",
        "SELECT * FROM images WHERE checksum IS NULL OR size IS NULL",
    ),
    (
        "images where status = active and visibility = public and disk_format in (qcow2, raw) and "
        "container_format = bare and min_ram < 4GB and tag = cloud-init and os_type = linux and "
        "architecture = x86_64 and hw_qemu_guest_agent = yes order by name, created_at desc limit 50",
        "sort_by(images[?status == 'active' && visibility == 'public' && contains(['qcow2', 'raw'], disk_format) "
        "&& container_format == 'bare' && min_ram < `4096` && contains(tags, 'cloud-init') && os_type == 'linux' "
        "&& architecture == 'x86_64' && hw_qemu_guest_agent == 'yes'], &name) | [:50]",
        "SELECT * FROM images WHERE status = 'active' AND visibility = 'public' AND disk_format IN ('qcow2', 'raw') "
        "AND container_format = 'bare' AND min_ram < 4096 AND 'cloud-init' = ANY(tags) AND os_type = 'linux' "
        "AND architecture = 'x86_64' AND hw_qemu_guest_agent = 'yes' ORDER BY name, created_at DESC LIMIT 50",
    ),
    (
        "images where name like 'k8s-node-*' and created_at < 30 days ago -- stale nodes\n"
        "  and not tag = keep order by created_at",
        "sort_by(images[?starts_with(name, 'k8s-node-') && created_at < '2025-01-01' && !contains(tags, 'keep')], "
        "&created_at)",
        "SELECT * FROM images WHERE name LIKE 'k8s-node-%' AND created_at < '2025-01-01' "
        "AND NOT 'keep' = ANY(tags) ORDER BY created_at",
    ),
)
