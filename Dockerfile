# Portico in a container (docker-compose.yml runs several of these as gateway and management nodes).
# `npm ci` runs the `prepare` script, which compiles src/ into dist/.
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci && npm prune --omit=dev
ENV PORTICO_HOST=0.0.0.0 PORTICO_DATA_DIR=/data PORTICO_LOG_FORMAT=json
EXPOSE 8080 8081 8082 8083
ENTRYPOINT ["node", "bin/portico.js"]
CMD ["start"]
