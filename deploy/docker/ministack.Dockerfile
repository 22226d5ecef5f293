FROM python:3.11-slim
RUN pip install --no-cache-dir ministack==1.5.33
EXPOSE 4566
CMD ["ministack"]
