FROM node:20-slim
RUN npm install -g firebase-tools@15.34.2 && mkdir -p /srv/firebase \
 && printf '{"emulators":{"auth":{"host":"0.0.0.0","port":9099},"ui":{"enabled":false},"singleProjectMode":true}}' > /srv/firebase/firebase.json
WORKDIR /srv/firebase
ENV CI=true
EXPOSE 9099
CMD ["firebase", "emulators:start", "--only", "auth", "--project", "demo-storyscape"]
