# A small image holding only monstack and the C library it links (no shell, no package manager).
# The binary is built on the host, so no registry is needed: `scripts/container-context` stages
# it with the libraries `ldd` lists, then
#
#   cargo build --release --locked
#   scripts/container-context target/release/monstack target/container
#   docker build -t monstack -f Dockerfile target/container
#   docker run --rm -v "$PWD:/project:ro" monstack check -C /project
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin
WORKDIR /project
ENTRYPOINT ["monstack"]
CMD ["--help"]
