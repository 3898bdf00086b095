# openivs in a container: built from this repository with the Maven wrapper, run as a non-root user.
#
#   docker build -t openivs .
#   docker run -d --name openivs --stop-timeout 30 -v openivs-data:/var/lib/openivs \
#     -p 8080:8080 -p 8081:8081 -p 1935:1935 -p 1936:1936 -p 9000:9000/udp \
#     -e OPENIVS_PUBLIC_HOST=live.example.com openivs
#   docker logs openivs        # the generated API key, printed once
#
# The bundled ffmpeg (recording thumbnails, transcoding) is the linux-x86_64 build of the org.bytedeco jar,
# so the image is for amd64 hosts.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The local repository is a BuildKit cache: a rebuild after a source change fetches no dependency again.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package \
    && cp server/target/openivs.jar /openivs.jar

FROM eclipse-temurin:17-jre
# libpulse0: the bundled ffmpeg executables link against it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpulse0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/openivs openivs \
    && mkdir -p /var/lib/openivs \
    && chown openivs:openivs /var/lib/openivs \
    && chmod 0700 /var/lib/openivs
COPY --from=build /openivs.jar /opt/openivs/openivs.jar
COPY bin/openivs /opt/openivs/bin/openivs
ENV OPENIVS_JAR=/opt/openivs/openivs.jar \
    OPENIVS_DATA_DIR=/var/lib/openivs \
    OPENIVS_BIND=0.0.0.0
VOLUME /var/lib/openivs
# control API, HLS playback, RTMP, RTMPS, SRT
EXPOSE 8080 8081 1935 1936 9000/udp
USER openivs
WORKDIR /home/openivs
# SIGTERM ends live streams cleanly within --shutdown-grace (10 s): give docker stop more than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/openivs/bin/openivs"]
CMD ["serve"]
