# The parley image: the static parley binary (CGO_ENABLED=0) and nothing else, so that it builds offline
# with the classic builder and pulls no image. The same image runs the mocks (`serve`) and the reference
# assistant (`bot`). Build it with `make images`; the harness builds it the same way (BuildImage in
# harness/containers).
FROM scratch
COPY parley /parley
ENTRYPOINT ["/parley"]
